using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;

namespace Amct.Engine.Retraining;

/// <summary>How a job retrains after calibration.</summary>
public enum RetrainMode
{
    /// <summary>Post-training quantization only.</summary>
    None,

    /// <summary>Fake-quantized model trained against the float model's outputs (no labels needed).</summary>
    Distill,

    /// <summary>Layer by layer, each weight rounded up or down as learned to keep the layer's output (no labels needed).</summary>
    AdaRound,

    /// <summary>Post-training first; when the accuracy gate fails, AdaRound, then Distill, checking the gate after each.</summary>
    Auto,
}

/// <summary>
/// Quantization-aware retraining, supplied by a worker that carries a training library (amct-qat, package
/// Amct.Build.Qat). The engine itself has none, so post-training users never download one: it hands the retrainer
/// the prepared float model, the plan and the post-training factors and weights, and takes back factors and weights
/// that then go through the same QDQ builder, record writer, gate and report.
/// </summary>
public interface IRetrainer
{
    RetrainResult Retrain(RetrainInput input);
}

/// <param name="Model">The prepared float model (names, opset and folding as the plan sees them); not to be changed.</param>
/// <param name="ModelPath">The float model's path, the target of errors.</param>
/// <param name="Plan">Where fake quantizers go and which tensors share factors.</param>
/// <param name="Factors">The calibrated activation factors: the starting point.</param>
/// <param name="Weights">The post-training int8 weights per layer: the starting point.</param>
/// <param name="WeightBits">The weight bit width (integer range of the stored int8 values).</param>
/// <param name="Batches">The training samples, batched as the model's inputs take them.</param>
public sealed record RetrainInput(
    ModelProto Model,
    string ModelPath,
    QuantizationPlan Plan,
    IReadOnlyList<TensorFactors> Factors,
    IReadOnlyDictionary<string, QuantizedWeights> Weights,
    int WeightBits,
    IReadOnlyList<IReadOnlyDictionary<string, TensorProto>> Batches,
    RetrainOptions Options,
    IJobLog Log)
{
    /// <summary>
    /// Samples kept apart from training (the evaluation data), batched as <see cref="Batches"/>: Distill records its
    /// loss on them after every epoch, to show whether training generalizes; empty: no held-out loss.
    /// </summary>
    public IReadOnlyList<IReadOnlyDictionary<string, TensorProto>> HeldOut { get; init; } = [];

    /// <summary>The training samples' class labels (TrainingLabels); null: none, distillation alone.</summary>
    public TrainingLabels? Labels { get; init; }
}

/// <summary>Class-index labels of the training samples.</summary>
/// <param name="Path">The labels file, the target of errors (a label beyond the model's classes).</param>
/// <param name="PerBatch">One array per training batch, aligned with <see cref="RetrainInput.Batches"/>.</param>
public sealed record TrainingLabels(string Path, IReadOnlyList<long[]> PerBatch);

/// <param name="Epochs">Passes over the training batches.</param>
/// <param name="TimeBudgetSeconds">Training stops after the step running when this much time has passed since the
/// retrainer was called (its setup counts); null: none.</param>
/// <param name="Threads">Training threads; results are reproducible for a fixed count.</param>
/// <param name="Seed">Seed of the sample order and the training library's random state (RetrainSeed).</param>
public sealed record RetrainOptions(RetrainMode Mode, int Epochs, double? TimeBudgetSeconds, int Threads, int Seed)
{
    /// <summary>Whether the time budget is spent after <paramref name="elapsed"/> since the retrainer was called.</summary>
    public bool OutOfTime(TimeSpan elapsed) => TimeBudgetSeconds is { } budget && elapsed.TotalSeconds >= budget;
}

/// <param name="Factors">One entry per tensor of the input factors, in the same order.</param>
/// <param name="Weights">One entry per planned layer.</param>
/// <param name="LossCurve">The mean loss of each epoch run.</param>
/// <param name="SetupSeconds">From the call to the first training step: loading the training library, converting the
/// model, the teacher's outputs. The time budget counts it.</param>
/// <param name="Seconds">The whole call, setup included.</param>
public sealed record RetrainResult(
    IReadOnlyList<TensorFactors> Factors,
    IReadOnlyDictionary<string, QuantizedWeights> Weights,
    IReadOnlyList<double> LossCurve,
    int Steps,
    double SetupSeconds,
    double Seconds)
{
    /// <summary>The mean loss on <see cref="RetrainInput.HeldOut"/> after each epoch run; empty without held-out samples.</summary>
    public IReadOnlyList<double> HeldOutLossCurve { get; init; } = [];

    /// <summary>The loss on <see cref="RetrainInput.HeldOut"/> before the first epoch; null when not measured.</summary>
    public double? HeldOutLossAtStart { get; init; }

    /// <summary>
    /// The epoch whose factors and weights were returned (0: the post-training ones, before any training); null when the
    /// retrainer keeps no epoch (AdaRound keeps per layer).
    /// </summary>
    public int? KeptEpoch { get; init; }
}
