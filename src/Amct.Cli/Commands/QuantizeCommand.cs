using System.Globalization;
using Amct.Engine;
using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;

namespace Amct.Cli.Commands;

/// <summary><c>amct quantize</c>: calibrate and write the int8 model, the AMCT record and the report.</summary>
internal static class QuantizeCommand
{
    public static readonly string Usage =
        "amct quantize <model.onnx> --calibration-data <path> [--config <amct.json>] [--record <record.txt>] " +
        "[--activation asymmetric|symmetric] [--weights per-channel|per-tensor] [--matmul-weights per-channel|per-tensor] " +
        "[--method minmax|percentile|ifmr|hfmg|entropy] [--skip-layers a,b] [--skip-op-types T,U] [--batch-size N] " +
        "[--samples N] [--no-fusion] [--output-dir <dir>] [--output-name <name>] [--evaluation-data <path>] " +
        "[--evaluation-labels <labels.npy|labels.csv|classes.txt>] [--min-accuracy F] [--max-accuracy-drop F] " +
        "[--max-relative-accuracy-drop F] [--min-top1-agreement F] [--min-cosine-similarity F] [--min-sqnr-db DB] " +
        "[--no-auto-fallback] [--max-fallback-layers N] [--accuracy-failure-is-warning] [--no-evaluation] " + DataOptionArguments.Usage;

    private static readonly string[] ValueOptions =
    [
        "calibration-data", "config", "record", "activation", "weights", "matmul-weights", "method", "skip-layers",
        "skip-op-types", "batch-size", "samples", "output-dir", "output-name", "evaluation-data", "evaluation-labels",
        "min-accuracy", "max-accuracy-drop", "max-relative-accuracy-drop", "min-top1-agreement", "min-cosine-similarity",
        "min-sqnr-db", "max-fallback-layers",
        .. DataOptionArguments.ValueOptions,
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var a = Arguments.Parse(args, ValueOptions, ["no-fusion", "no-auto-fallback", "accuracy-failure-is-warning", "no-evaluation"]);
        if (a.Positional.Count != 1)
        {
            throw Arguments.Usage($"quantize takes one model path. Usage: {Usage}");
        }
        var model = a.Positional[0];
        var weights = Enum("weights", a.Option("weights"), Granularities);
        var request = new QuantizeRequest
        {
            ModelPath = model,
            CalibrationData = a.Option("calibration-data"),
            ConfigFile = a.Option("config"),
            RecordInput = a.Option("record"),
            OutputDirectory = a.Option("output-dir") ?? Path.GetDirectoryName(Path.GetFullPath(model))!,
            OutputName = a.Option("output-name"),
            Activation = Enum("activation", a.Option("activation"), Activations),
            ConvWeights = weights,
            MatMulWeights = Enum("matmul-weights", a.Option("matmul-weights"), Granularities) ?? weights,
            Method = a.Option("method"),
            SkipLayers = List(a.Option("skip-layers")),
            SkipOpTypes = List(a.Option("skip-op-types")),
            BatchSize = Number("batch-size", a.Option("batch-size")),
            SampleCount = Number("samples", a.Option("samples")),
            DoFusion = a.Switch("no-fusion") ? false : null,
            EvaluationData = a.Option("evaluation-data"),
            EvaluationLabels = a.Option("evaluation-labels"),
            Gate = new GateThresholds
            {
                MinAccuracy = Fraction("min-accuracy", a.Option("min-accuracy")),
                MaxAccuracyDrop = Fraction("max-accuracy-drop", a.Option("max-accuracy-drop")),
                MaxRelativeAccuracyDrop = Fraction("max-relative-accuracy-drop", a.Option("max-relative-accuracy-drop")),
                MinTop1Agreement = Fraction("min-top1-agreement", a.Option("min-top1-agreement")),
                MinCosineSimilarity = Fraction("min-cosine-similarity", a.Option("min-cosine-similarity")),
                MinSqnrDb = Decimal("min-sqnr-db", a.Option("min-sqnr-db")),
            },
            AutoFallback = a.Switch("no-auto-fallback") ? false : null,
            MaxFallbackLayers = Number("max-fallback-layers", a.Option("max-fallback-layers")),
            AccuracyFailureIsWarning = a.Switch("accuracy-failure-is-warning"),
            SkipEvaluation = a.Switch("no-evaluation"),
            DataOptions = DataOptionArguments.Parse(a),
        };
        if (request.CalibrationData is null && request.RecordInput is null)
        {
            throw Arguments.Usage($"quantize needs --calibration-data (or --record). Usage: {Usage}");
        }

        var result = QuantizationJob.Run(request, new ConsoleLog(output, error));
        output.WriteLine(Summary(result));
        return 0;
    }

    /// <summary>
    /// One line per model, e.g. <c>classifier.onnx -> classifier.int8.onnx: top-1 97.8% (float 98.0%, drop 0.2 &lt;= 1.0),
    /// 3.9x smaller, 2 layers kept float</c>, then the path of the human report.
    /// </summary>
    internal static string Summary(QuantizeResult result)
    {
        var r = result.Report;
        var c = CultureInfo.InvariantCulture;
        var ratio = (double)r.Model.InputBytes / Math.Max(1, r.Model.OutputBytes);
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
        return string.Create(c, $"{Path.GetFileName(r.Model.Input)} -> {Path.GetFileName(r.Model.Output)}: {quality}{ratio:0.0}x smaller, {layers}")
            + Environment.NewLine + $"report: {r.HumanReport}";
    }

    private static double? Fraction(string option, string? value)
    {
        var number = Decimal(option, value);
        return number is null or (>= 0 and <= 1) ? number
            : throw new AmctException(ErrorCodes.BadArgument, "amct", $"--{option} {value} must be a fraction between 0 and 1 (0.01 = one point).");
    }

    private static double? Decimal(string option, string? value) =>
        value is null ? null
        : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n
        : throw new AmctException(ErrorCodes.BadArgument, "amct", $"--{option} '{value}' is not a number.");

    private static readonly Dictionary<string, WeightGranularity> Granularities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["per-channel"] = WeightGranularity.PerChannel,
        ["per-tensor"] = WeightGranularity.PerTensor,
    };

    private static readonly Dictionary<string, ActivationMode> Activations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["asymmetric"] = ActivationMode.Asymmetric,
        ["symmetric"] = ActivationMode.Symmetric,
    };

    private static T? Enum<T>(string option, string? value, Dictionary<string, T> values)
        where T : struct =>
        value is null ? null
        : values.TryGetValue(value, out var parsed) ? parsed
        : throw new AmctException(ErrorCodes.BadArgument, "amct",
            $"--{option} '{value}' is not valid. Valid values: {string.Join(", ", values.Keys)}.");

    internal static int? Number(string option, string? value) =>
        value is null ? null
        : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n
        : throw new AmctException(ErrorCodes.BadArgument, "amct", $"--{option} '{value}' must be a whole number of at least 1.");

    private static string[] List(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
