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
        "[--evaluation-labels <labels.npy|labels.csv|classes.txt>] " + DataOptionArguments.Usage;

    private static readonly string[] ValueOptions =
    [
        "calibration-data", "config", "record", "activation", "weights", "matmul-weights", "method", "skip-layers",
        "skip-op-types", "batch-size", "samples", "output-dir", "output-name", "evaluation-data", "evaluation-labels",
        .. DataOptionArguments.ValueOptions,
    ];

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var a = Arguments.Parse(args, ValueOptions, ["no-fusion"]);
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

    internal static string Summary(QuantizeResult result)
    {
        var r = result.Report;
        var c = CultureInfo.InvariantCulture;
        var ratio = (double)r.Model.InputBytes / Math.Max(1, r.Model.OutputBytes);
        var line = string.Create(c,
            $"{Path.GetFileName(r.Model.Input)} -> {Path.GetFileName(r.Model.Output)}: {r.Layers.Count} layers int8, " +
            $"{r.Skipped.Count} kept float, {ratio:0.0}x smaller, {r.Calibration.Samples} calibration samples ({r.Settings.Method}), " +
            $"{r.Timings.TotalSeconds:0.0} s");
        if (r.Evaluation is { } evaluation)
        {
            line += Environment.NewLine + EvaluateCommand.Describe(evaluation);
        }
        return line;
    }

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
