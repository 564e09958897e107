using Amct.Engine.Formats;
using Amct.Engine.Pipeline.Stages;
using Amct.Engine.Retraining;

namespace Amct.Engine.Pipeline;

/// <summary>The files a quantization wrote, and its report.</summary>
public sealed record QuantizeResult(string QuantizedModel, string RecordFile, string ReportFile, QuantReport Report)
{
    /// <summary>Every file of the output set, the int8 model's external data included when it has some.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];
}

/// <summary>
/// The one entry point for quantizing a model: a pipeline of named stages passing one <see cref="JobContext"/>.
/// Evaluation, the gate and the fallback run before anything is written, and the outputs (model, AMCT record,
/// reports) are replaced as a unit, so a model that fails its gate never lands on disk.
/// </summary>
public static class QuantizationJob
{
    public const int DefaultBatchSize = 16;

    public static string ToolVersion { get; } =
        typeof(QuantizationJob).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static QuantizeResult Run(QuantizeRequest request, IJobLog log) => Run(request, log, Stages());

    /// <summary>A job whose Retrain setting is served by <paramref name="retrainer"/> (the amct-qat worker's).</summary>
    public static QuantizeResult Run(QuantizeRequest request, IJobLog log, IRetrainer? retrainer) =>
        Run(request, log, Stages(retrainer));

    /// <summary>
    /// Deletes the outputs an earlier run of <paramref name="request"/> left (the failed-gate report stays: it explains
    /// the failure). For callers that report a failure and must leave nothing that looks up to date. Never throws.
    /// </summary>
    public static void RemoveOutputs(QuantizeRequest request) => OutputSet.RemoveStale(request);

    /// <summary>The stages of a job, in order. A new step is a new stage inserted here.</summary>
    internal static List<IJobStage> Stages(IRetrainer? retrainer = null) =>
    [
        new LoadStage(),       // AMCT config, settings, the model
        new ImportQdqStage(),  // a QAT (QDQ) model: its Q/DQ pairs out, their trained factors kept
        new PrepareStage(),    // node names, opset 13, Conv+BatchNormalization folding, Gemm scales
        new PlanStage(),       // what is quantized, and how samples are fed
        new BalanceStage(),    // DMQ balancing: activation outliers moved into the weights, per input channel
        new FactorsStage(),    // activation factors: calibrated, or read from a record
        new WeightsStage(),    // int8 weights and int32 biases
        new WeightRoundingStage(), // WeightRounding=hessian: the int8 codes chosen by the layers' input statistics, kept where the outputs gain
        new OutputAwareRangesStage(), // CalibrationMethod=auto: each input's clip by the error at its readers' outputs
        new BiasCorrectionStage(), // BiasCorrection: biases minus the mean output shift the int8 layers cause
        new RangeRefinementStage(), // RangeRefinement: activation ranges rescaled by the error at the int8 model's outputs
        new RetrainStage(retrainer), // Retrain: factors and weights trained against the float model
        new BuildQdqStage(),   // the QDQ model
        new SubgraphStage(),   // weighted layers inside If branches, calibrated on the values that reach them
        new EvaluateStage(),   // compare with the float model, check the thresholds
        new FallbackStage(),   // keep sensitive layers in float until the gate passes
        new SpeedStage(),      // keep layer groups in float that run clearly faster so (OptimizeFor)
        new GateStage(),       // the verdict
        new LatencyStage(),    // time the int8 model that ships against the float one (reports only)
        new LayerErrorStage(), // each int8 layer's output against the float model's, on a few samples (reports only)
        new WriteStage(),      // model and record to temporary files
        new PublishStage(),    // reports, then the whole output set moved into place
    ];

    /// <summary>Runs <paramref name="stages"/> on a new job; the job's temporary files are gone on every exit path.</summary>
    internal static QuantizeResult Run(QuantizeRequest request, IJobLog log, IReadOnlyList<IJobStage> stages)
    {
        using var context = JobContext.Create(request, log);
        new StageRunner(stages).Run(context);
        return context.Result ?? throw new InvalidOperationException("the job's stages ended without publishing a result");
    }
}
