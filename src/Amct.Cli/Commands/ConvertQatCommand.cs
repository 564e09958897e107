using System.CommandLine;
using Amct.Cli.Options;
using Amct.Cli.Parsing;
using Amct.Engine.Pipeline;
using Amct.Engine.Settings;

namespace Amct.Cli.Commands;

/// <summary>
/// <c>amct convert-qat</c> (AMCT's convert_qat_model): a QAT export's Q/DQ pairs imported with their trained factors,
/// no calibration; the same outputs as <c>amct quantize</c>. It is <c>amct quantize --qat-import on</c> under AMCT's name.
/// </summary>
internal static class ConvertQatCommand
{
    public const string Usage =
        "amct convert-qat <model.onnx> [--float-model <float.onnx>] [--evaluation-data <path>] [--output-dir <dir>] [options]";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = AmctCommandLine.Positional("model.onnx", "the QAT model (QuantizeLinear/DequantizeLinear pairs)");
        var json = new Option<bool>("--json")
        {
            Description = "print a JSON summary (outputs, size, layers kept float, evaluation) on stdout; progress goes to stderr",
        };
        // The import's own setting is implied; calibration settings have nothing to do.
        var settings = new SettingOptions(SettingList.All.Where(s => s != SettingList.QatImport && s != SettingList.CalibrationData
            && s != SettingList.RecordInput && s != SettingList.CalibrationMethod && s != SettingList.SampleCount));
        var command = new Command("convert-qat",
            "import a quantization-aware trained QDQ model with its trained factors: the same outputs as quantize, no calibration")
        {
            model,
        };
        foreach (var option in settings.All)
        {
            command.Options.Add(option);
        }
        command.Options.Add(json);
        command.SetAction(parse => Run(parse.GetValue(model) ?? [], settings.Given(parse), parse.GetValue(json), output, error));
        return command;
    }

    private static int Run(string[] positional, IEnumerable<KeyValuePair<Setting, string>> given, bool json, TextWriter output,
        TextWriter error)
    {
        if (positional.Length != 1)
        {
            throw AmctCommandLine.Usage($"convert-qat takes one model path. Usage: {Usage}");
        }
        var model = AmctCommandLine.PathArgument(positional[0], "the model path");
        var request = QuantizeOptions.Read(given, SettingNaming.CommandLine).ToRequest(model, SettingNaming.CommandLine)
            with { QatImport = QatImportMode.On };
        return QuantizeCommand.Quantize(request, json, output, error);
    }
}
