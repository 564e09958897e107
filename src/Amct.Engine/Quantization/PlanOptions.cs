namespace Amct.Engine.Quantization;

/// <summary>The settings the planner needs (a subset of the job's settings).</summary>
public sealed record PlanOptions
{
    public ActivationMode Activation { get; init; } = ActivationMode.Asymmetric;

    /// <summary>Weight granularity for Conv and ConvTranspose.</summary>
    public WeightGranularity ConvWeights { get; init; } = WeightGranularity.PerChannel;

    /// <summary>Weight granularity for Gemm and MatMul (per output column, or per tensor as AMCT does).</summary>
    public WeightGranularity MatMulWeights { get; init; } = WeightGranularity.PerChannel;

    /// <summary>False for a model kept below opset 13, whose DequantizeLinear has no axis: every weight is per tensor.</summary>
    public bool PerChannelAllowed { get; init; } = true;

    /// <summary>
    /// Whether a weighted layer that cannot have int8 activations (recurrent gates, an output on its way to a Log) gets
    /// int8 weights with float compute (<see cref="WeightOnlyLayer"/>) instead of staying float.
    /// </summary>
    public bool WeightOnlyFallback { get; init; } = true;

    /// <summary>Layers (node names) to leave in float.</summary>
    public IReadOnlySet<string> SkipLayers { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Op types to leave in float.</summary>
    public IReadOnlySet<string> SkipOpTypes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The Mul nodes DMQ balancing inserted (a division by the balance factors it could not fold): they stay float, as
    /// an int8 Mul would quantize the per-channel factors with one scale, and they are not layers of the user's model,
    /// so they are not reported as skipped.
    /// </summary>
    public IReadOnlySet<string> BalanceNodes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Per-layer override of the weight granularity (AMCT config <c>channel_wise</c>).</summary>
    public IReadOnlyDictionary<string, WeightGranularity> LayerWeights { get; init; } =
        new Dictionary<string, WeightGranularity>(StringComparer.Ordinal);
}
