using System.Text.Json;
using System.Text.Json.Serialization;
using Amct.Engine.Evaluation;
using Amct.Engine.IO;

namespace Amct.Engine.Formats;

/// <summary>
/// The report of one quantization (<c>&lt;name&gt;.quant.json</c>). Its schema is documented in
/// docs/report-schema.md; <see cref="SchemaVersion"/> changes when a field changes meaning or disappears.
/// </summary>
public sealed record QuantReport
{
    public int SchemaVersion { get; init; } = 1;
    public required ToolInfo Tool { get; init; }
    public required ModelFiles Model { get; init; }
    public required ReportSettings Settings { get; init; }
    public required PreparationInfo Preparation { get; init; }
    public required CalibrationInfo Calibration { get; init; }

    /// <summary>Set when the model was a QAT (QDQ) export imported with its trained factors (AMCT convert_qat_model).</summary>
    public ImportReport? Import { get; init; }
    public required IReadOnlyList<LayerReport> Layers { get; init; }
    public required IReadOnlyList<TensorReport> Tensors { get; init; }
    public required IReadOnlyList<SkippedReport> Skipped { get; init; }

    /// <summary>Layers with int8 weights that compute in float, and why their activations cannot be int8; null when none.</summary>
    public IReadOnlyList<WeightOnlyReport>? WeightOnly { get; init; }
    public required IReadOnlyList<FoldReport> FoldedActivations { get; init; }
    public EvaluationResult? Evaluation { get; init; }

    /// <summary>True when no evaluation data was given and the calibration data was used: figures are in-sample.</summary>
    public bool EvaluationInSample { get; init; }

    /// <summary>The tensors DMQ balancing divided per channel, and where the division went; null when none was.</summary>
    public IReadOnlyList<BalanceReport>? Balanced { get; init; }

    /// <summary>What bias correction did (BiasCorrection): the layers corrected, or why it could not run; null when it had nothing to do.</summary>
    public BiasCorrectionReport? BiasCorrection { get; init; }

    /// <summary>What Hessian-guided weight rounding (WeightRounding=hessian) did: the layers it rounded and those it left to nearest; null when it did not run.</summary>
    public WeightRoundingReport? WeightRounding { get; init; }

    public GateReport? Gate { get; init; }
    public Pipeline.FallbackReport? Fallback { get; init; }

    /// <summary>The latency-aware layer choice (OptimizeFor): each layer group timed in float, and the measured gain of those kept float; null when it did not run.</summary>
    public Latency.SpeedChoiceReport? SpeedChoice { get; init; }

    /// <summary>Quantization-aware retraining and its loss curve; null without Retrain.</summary>
    public RetrainReport? Retraining { get; init; }

    /// <summary>int8 vs float latency; null when not measured (MeasureLatency off, nothing quantized, no data).</summary>
    public LatencyReport? Latency { get; init; }

    /// <summary>Each int8 layer's output against the float model's, in graph order; null when not measured (LayerErrors off, no data).</summary>
    public Evaluation.LayerErrors.LayerErrorReport? LayerErrors { get; init; }

    /// <summary>The Markdown report written next to this one.</summary>
    public string? HumanReport { get; init; }

    /// <summary>The HTML report written next to this one (null after a failed gate: only the Markdown report is kept).</summary>
    public string? HtmlReport { get; init; }

    public required Timings Timings { get; init; }

    /// <summary>How the report, and the parts of it kept elsewhere (the speed search's memo), are written as JSON.</summary>
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    /// <param name="writer">Where the file goes (default: straight into place, atomically).</param>
    public void Write(string path, IFileWriter? writer = null)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(ToJson());
        (writer ?? AtomicFileWriter.Instance).Write(path, stream => stream.Write(bytes));
    }
}

public sealed record ToolInfo(string Name, string Version);

/// <summary>The thresholds checked, whether the final model met them, and what it missed.</summary>
public sealed record GateReport(GateThresholds Thresholds, bool Passed, bool FailureIsWarning, IReadOnlyList<GateFailure> Failures);

public sealed record ModelFiles(string Input, string Output, string Record, long InputBytes, long OutputBytes)
{
    /// <summary>"4.0x smaller", or "1.3x larger" for a model that grew (a ratio below 1 "smaller" would hide it).</summary>
    public string SizeChange() => OutputBytes <= InputBytes
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(double)InputBytes / Math.Max(1, OutputBytes):0.0}x smaller")
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(double)OutputBytes / Math.Max(1, InputBytes):0.0}x larger");
}

public sealed record ReportSettings(
    string ActivationMode,
    string ConvWeights,
    string MatMulWeights,
    string Method,
    int BatchSize,
    long? SampleCount,
    bool DoFusion,
    IReadOnlyList<string> SkipLayers,
    IReadOnlyList<string> SkipOpTypes,
    string? ConfigFile,
    string? RecordInput);

public sealed record PreparationInfo(
    long? UpgradedFromOpset,
    IReadOnlyList<string> FoldedBatchNorms,
    int RenamedNodes,
    int RemovedNodes,
    int GemmScalesFolded)
{
    /// <summary>The ai.onnx opset (10–12) the model kept instead of being upgraded to 13 (weights per tensor), or null.</summary>
    public long? KeptOpset { get; init; }

    /// <summary>Why it kept it: the setting, or the upgrade's refusal naming the node.</summary>
    public string? KeptOpsetBecause { get; init; }
}

public sealed record CalibrationInfo(string? Data, long Samples, string Source)
{
    /// <summary>Inputs fed a fixed value instead of data ("name = value (why)"); empty when the data feeds every input.</summary>
    public IReadOnlyList<string> FixedInputs { get; init; } = [];
}

/// <summary>
/// A QAT import: how many DequantizeLinear nodes the export held, what the evaluation compared with (the float model, or
/// the export run as written), and every change the import made to the export's factors or structure, with its reason.
/// </summary>
public sealed record ImportReport(int DequantizeNodes, string Reference, IReadOnlyList<string> Changes);

/// <summary>A quantized layer: its input's factors (null when activations stay float: weight-only) and its weights'
/// factors and error.</summary>
public sealed record LayerReport(
    string Name,
    string OpType,
    string Input,
    float? ScaleD,
    int? OffsetD,
    string WeightGranularity,
    int? WeightAxis,
    int Channels,
    float WeightScaleMin,
    float WeightScaleMax,
    double WeightSqnrDb,
    int ZeroChannels,
    bool BiasQuantized);

/// <summary>A quantized activation: what was observed, where it was clipped, its factors and error.</summary>
public sealed record TensorReport(
    string Name,
    int Group,
    string Algorithm,
    double? ObservedMin,
    double? ObservedMax,
    double ClipMin,
    double ClipMax,
    float Scale,
    int Offset,
    double? SqnrDb)
{
    /// <summary>The values calibration saw, in <see cref="Calibration.ActivationHistogram.ReportBins"/> bins over the observed range.</summary>
    public Calibration.ActivationHistogram? Histogram { get; init; }
}

public sealed record SkippedReport(string Name, string OpType, string Reason);

/// <summary>A weight-only layer: its int8 weights (tensor names), their granularity, and why its activations stay float.</summary>
public sealed record WeightOnlyReport(string Name, string OpType, IReadOnlyList<string> Weights, string WeightGranularity, string Reason);

public sealed record FoldReport(string Node, string OpType, string Into);

/// <summary>
/// Bias correction: how many layers' biases it corrected and the largest per-channel shift it removed (in output
/// units), or, with <see cref="NotRunBecause"/> set, why it could not run (a record fed back without calibration data).
/// <see cref="Measured"/> layers were measured; <see cref="OutputCheck"/> says whether their correction made the
/// model's outputs better on the calibration data, and <see cref="Layers"/> is 0 when it did not.
/// </summary>
public sealed record BiasCorrectionReport(int Layers, double LargestShift, string? NotRunBecause)
{
    /// <summary>Layers whose output shift was measured (each a candidate for correction).</summary>
    public int Measured { get; init; }

    /// <summary>The model-level check that decided whether the corrections are kept; null when none ran.</summary>
    public BiasCorrectionOutputCheck? OutputCheck { get; init; }

    /// <summary>One line for the Markdown report.</summary>
    public string Describe()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        if (NotRunBecause is { } why)
        {
            return "not run: " + why;
        }
        var check = OutputCheck is { } o
            ? string.Create(c, $"; output SQNR on the calibration data {o.CorrectedSqnrDb:0.00} dB corrected, {o.UncorrectedSqnrDb:0.00} dB uncorrected")
            : "";
        return Layers > 0
            ? string.Create(c, $"{Layers} layers' biases corrected (largest shift {LargestShift:G3}){check}")
            : string.Create(c, $"{Measured} layers measured, none corrected: the correction did not make the outputs better{check}");
    }
}

/// <summary>
/// Hessian-guided weight rounding: the layers whose int8 weight codes were chosen by their inputs' second moments on
/// <see cref="Samples"/> calibration samples, the layers left to round to nearest with why, or, with
/// <see cref="NotRunBecause"/> set, why it did not run at all.
/// </summary>
public sealed record WeightRoundingReport(IReadOnlyList<string> Layers, IReadOnlyList<SkippedReport> Nearest, long Samples, string? NotRunBecause)
{
    /// <summary>The model-level check that decided whether the rounded codes are kept; null when none ran.</summary>
    public WeightRoundingOutputCheck? OutputCheck { get; init; }

    /// <summary>One line for the Markdown report.</summary>
    public string Describe()
    {
        if (NotRunBecause is { } why)
        {
            return "not run: " + why;
        }
        var check = OutputCheck is { } o
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"; output SQNR on the calibration data {o.RoundedSqnrDb:0.00} dB rounded by the inputs, {o.NearestSqnrDb:0.00} dB to nearest: {(o.Kept ? "kept" : "not kept, the weights stay rounded to nearest")}")
            : "";
        return $"{Layers.Count} layers' weights rounded by their inputs' statistics on {Samples} samples" +
            (Nearest.Count == 0 ? "" : $"; {Nearest.Count} rounded to nearest ({string.Join("; ", Nearest.Select(n => $"{n.Name}: {n.Reason}"))})") + check;
    }
}

/// <summary>
/// The int8 model's mean output SQNR (dB, over its float outputs, against the float model on the calibration data) with
/// the weight codes chosen by the layers' inputs and with those rounded to nearest; the former are kept only when higher.
/// </summary>
public sealed record WeightRoundingOutputCheck(double RoundedSqnrDb, double NearestSqnrDb, bool Kept);

/// <summary>
/// The int8 model's mean output SQNR (dB, over its float outputs, against the float model on the calibration data) with
/// the corrected biases and with the uncorrected ones; the correction is kept only when it is higher.
/// </summary>
public sealed record BiasCorrectionOutputCheck(double CorrectedSqnrDb, double UncorrectedSqnrDb, bool Kept);

/// <summary>One DMQ-balanced tensor: the layers reading it, its factors' range, and where the division by them went.</summary>
public sealed record BalanceReport(string Tensor, IReadOnlyList<string> Layers, int Channels, double MinFactor, double MaxFactor, string Placement);

public sealed record Timings(double LoadSeconds, double PrepareSeconds, double CalibrateSeconds, double QuantizeSeconds,
    double WriteSeconds, double EvaluateSeconds, double FallbackSeconds, double TotalSeconds);

/// <summary>
/// The int8 and the float model timed in ONNX Runtime on one batch of <see cref="BatchSize"/> samples: medians over
/// <see cref="Rounds"/> interleaved rounds at <see cref="Threads"/> intra-op threads; <see cref="Ratio"/> is the median
/// of the per-round int8/float ratios. <see cref="Int8Ops"/>: the ops ONNX Runtime runs in the optimized int8 model.
/// </summary>
public sealed record LatencyReport(double FloatMs, double Int8Ms, double Ratio, int Rounds, int Threads, int BatchSize,
    IReadOnlyList<OpCount>? Int8Ops)
{
    /// <summary>
    /// An int8 model must run at most this fraction of the float model's time to ship without a word (AMCT4030): a
    /// user who quantizes for speed must learn when the gain is not there, even on a model too small for the
    /// difference to matter in milliseconds.
    /// </summary>
    public const double QuietRatio = 0.95;

    /// <summary>Int8 gains less than the 5 % <see cref="QuietRatio"/> asks for, or is slower.</summary>
    [JsonIgnore]
    public bool NotFaster => Ratio > QuietRatio;

    /// <summary>e.g. <c>int8/float latency 0.62×</c>, <c>0.97× — no faster</c>, or <c>1.20× — slower</c>.</summary>
    public string Describe() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"int8/float latency {Ratio:0.00}×{(Ratio > 1.0 ? " — slower" : NotFaster ? " — no faster" : "")}");
}

/// <summary>How many nodes of one op type a graph holds.</summary>
public sealed record OpCount(string OpType, int Count);
