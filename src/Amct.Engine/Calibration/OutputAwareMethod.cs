using Amct.Engine.Quantization;

namespace Amct.Engine.Calibration;

/// <summary>
/// <c>auto</c>: each activation's clip is the candidate of the other range methods that causes the least error at the
/// output of the layers reading it (the output-aware ranges stage measures them; AMCT's OFMR judges ranges at the
/// output feature map the same way). On its own — for a tensor no weighted layer reads, or before that stage has run —
/// it gives the first candidate's clip, IFMR's.
/// </summary>
public sealed class OutputAwareMethod : IRangeMethod
{
    public const string MethodName = "auto";

    public string Name => MethodName;
    public bool NeedsHistogram => true;

    /// <summary>The methods whose clips are the candidates; the first is kept when no other is strictly better.</summary>
    public static IReadOnlyList<IRangeMethod> Candidates { get; } =
        [new IfmrMethod(), new MinMaxMethod(), new PercentileMethod(), new HfmgMethod(), new EntropyMethod()];

    public ClipRange Compute(TensorObservation observation, ActivationMode mode) => Candidates[0].Compute(observation, mode);
}
