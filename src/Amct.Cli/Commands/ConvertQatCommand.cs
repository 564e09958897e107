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

    /// <summary>Settings with nothing to do here: the import's own (implied) and calibration's.</summary>
    private static readonly Setting[] NotApplicable =
        [SettingList.QatImport, SettingList.CalibrationData, SettingList.RecordInput, SettingList.CalibrationMethod, SettingList.SampleCount];

    public static Command Create(TextWriter output, TextWriter error) =>
        QuantizeCommand.WithSettings("convert-qat",
            "import a quantization-aware trained QDQ model with its trained factors: the same outputs as quantize, no calibration",
            "the QAT model (QuantizeLinear/DequantizeLinear pairs)", SettingList.All.Except(NotApplicable),
            (positional, given, json) => Run(positional, given, json, output, error));

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
