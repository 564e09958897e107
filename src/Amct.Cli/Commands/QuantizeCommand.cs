using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Amct.Cli.Options;
using Amct.Cli.Parsing;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Retraining;
using Amct.Engine.Settings;

namespace Amct.Cli.Commands;

/// <summary><c>amct quantize</c>: calibrate and write the int8 model, the AMCT record and the report.</summary>
internal static class QuantizeCommand
{
    public const string Usage = "amct quantize <model.onnx> --calibration-data <path> [options] (amct quantize --help lists them)";

    public static Command Create(TextWriter output, TextWriter error, IRetrainer? retrainer) =>
        WithSettings("quantize", "calibrate, write <name>.int8.onnx, <name>.record.txt and the reports <name>.quant.json, .quant.md and .quant.html",
            "the float ONNX model", SettingList.All, (positional, given, json) => Run(positional, given, json, output, error, retrainer));

    /// <summary>
    /// A command over one model whose options are <paramref name="settings"/> (from the settings contract) and
    /// <c>--json</c>; <paramref name="run"/> gets the positional arguments, the settings given and the --json flag.
    /// </summary>
    internal static Command WithSettings(string name, string description, string modelDescription, IEnumerable<Setting> settings,
        Func<string[], IEnumerable<KeyValuePair<Setting, string>>, bool, int> run)
    {
        var model = AmctCommandLine.Positional("model.onnx", modelDescription);
        var json = new Option<bool>("--json")
        {
            Description = "print a JSON summary (outputs, size, layers kept float, evaluation) on stdout; progress goes to stderr",
        };
        var options = new SettingOptions(settings);
        var command = new Command(name, description) { model };
        foreach (var option in options.All)
        {
            command.Options.Add(option);
        }
        command.Options.Add(json);
        command.SetAction(parse => run(parse.GetValue(model) ?? [], options.Given(parse), parse.GetValue(json)));
        return command;
    }

    private static int Run(string[] positional, IEnumerable<KeyValuePair<Setting, string>> given, bool json, TextWriter output,
        TextWriter error, IRetrainer? retrainer)
    {
        if (positional.Length != 1)
        {
            throw AmctCommandLine.Usage($"quantize takes one model path. Usage: {Usage}");
        }
        var model = AmctCommandLine.PathArgument(positional[0], "the model path");
        var options = QuantizeOptions.Read(given, SettingNaming.CommandLine);
        var request = options.ToRequest(model, SettingNaming.CommandLine);
        // A QAT export imported with --qat-import on brings its own factors; weight-only (--activation none) needs none.
        if (!options.Has(SettingList.CalibrationData) && !options.Has(SettingList.RecordInput) && request.QatImport != QatImportMode.On
            && request.Activation != ActivationMode.None)
        {
            throw AmctCommandLine.Usage($"quantize needs --calibration-data (or --record), --activation none (weight-only), or --qat-import on for a QAT model. Usage: {Usage}");
        }
        return Quantize(request, json, output, error, retrainer);
    }

    /// <summary>Runs the job and prints its summary line (or, with <paramref name="json"/>, the JSON summary alone on stdout).</summary>
    internal static int Quantize(QuantizeRequest request, bool json, TextWriter output, TextWriter error, IRetrainer? retrainer = null)
    {
        // With --json, stdout carries the JSON alone.
        var result = QuantizationJob.Run(request, new ConsoleLog(json ? error : output, error), retrainer);
        output.WriteLine(json ? JsonSerializer.Serialize(QuantizeSummary.Of(result, Summary(result)), CliJson.Options) : Summary(result));
        return 0;
    }

    /// <summary>
    /// One line per model, e.g. <c>classifier.onnx -> classifier.int8.onnx: top-1 97.8% (float 98.0%, drop 0.2 &lt;= 1.0),
    /// 3.9x smaller, int8/float latency 0.62×, 2 layers kept float</c>, then the path of the human report.
    /// </summary>
    internal static string Summary(QuantizeResult result)
    {
        var r = result.Report;
        var c = CultureInfo.InvariantCulture;
        var quality = "";
        if (r.Evaluation is { } e)
        {
            var limit = r.Gate?.Thresholds.MaxAccuracyDrop is { } maxDrop ? string.Create(c, $" <= {maxDrop * 100:0.0#}") : "";
            var primary = e.Outputs.FirstOrDefault(o => o.Output == e.LabeledOutput) ?? (e.Outputs.Count > 0 ? e.Outputs[0] : null);
            quality = e is { FloatAccuracy: { } f, QuantizedAccuracy: { } q }
                ? string.Create(c, $"top-1 {q.Top1 * 100:0.0#}% (float {f.Top1 * 100:0.0#}%, drop {(f.Top1 - q.Top1) * 100:0.0#}{limit}), ")
                : primary is null ? ""
                : string.Create(c, $"{(primary.Top1Agreement is { } a ? $"top-1 agreement {a * 100:0.0#}%, " : "")}cosine {primary.CosineMean:0.0000}, ");
            if (r.EvaluationInSample)
            {
                quality = quality.TrimEnd(',', ' ') + " in-sample, ";
            }
        }
        var layers = r.Skipped.Count == 1 ? "1 layer kept float" : $"{r.Skipped.Count} layers kept float";
        var latency = r.Latency is { } l ? ", " + l.Describe() : "";
        var imported = r.Import is null ? "" : "imported (QAT), ";
        return string.Create(c, $"{Path.GetFileName(r.Model.Input)} -> {Path.GetFileName(r.Model.Output)}: {imported}{quality}{r.Model.SizeChange()}{latency}, {layers}")
            + Environment.NewLine + $"report: {r.HumanReport}";
    }
}
