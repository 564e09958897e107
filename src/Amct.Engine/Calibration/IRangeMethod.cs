using Amct.Engine.Quantization;

namespace Amct.Engine.Calibration;

/// <summary>The float range an activation is clipped to before quantization.</summary>
public readonly record struct ClipRange(double Min, double Max);

/// <summary>
/// A calibration algorithm: turns what was observed of a tensor into its clip range. Adding an algorithm is adding one
/// class and one line in <see cref="RangeMethods"/>.
/// </summary>
public interface IRangeMethod
{
    /// <summary>The name used in settings, reports and the AMCT config (<c>act_algo</c>).</summary>
    string Name { get; }

    /// <summary>False when the extremes suffice; calibration then skips the histogram (it is the costly part).</summary>
    bool NeedsHistogram { get; }

    ClipRange Compute(TensorObservation observation, ActivationMode mode);
}

/// <summary>The registry of range methods by name.</summary>
public static class RangeMethods
{
    public const string DefaultName = "ifmr";

    private static readonly Dictionary<string, Func<IRangeMethod>> Factories = new(StringComparer.OrdinalIgnoreCase)
    {
        ["minmax"] = () => new MinMaxMethod(),
        ["percentile"] = () => new PercentileMethod(),
        ["ifmr"] = () => new IfmrMethod(),
        ["hfmg"] = () => new HfmgMethod(),
        ["entropy"] = () => new EntropyMethod(),
        [OutputAwareMethod.MethodName] = () => new OutputAwareMethod(),
    };

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static bool TryCreate(string name, out IRangeMethod method)
    {
        if (Factories.TryGetValue(name, out var factory))
        {
            method = factory();
            return true;
        }
        method = null!;
        return false;
    }

    /// <summary>
    /// For a histogram method on a tensor that never varied (or never was observed in a histogram), the extremes are
    /// all there is.
    /// </summary>
    internal static bool IsDegenerate(TensorObservation observation) =>
        observation.Histogram is not { HasRange: true } || observation.Min == observation.Max;
}

/// <summary>The observed minimum and maximum: nothing clipped.</summary>
public sealed class MinMaxMethod : IRangeMethod
{
    public string Name => "minmax";
    public bool NeedsHistogram => false;

    public ClipRange Compute(TensorObservation observation, ActivationMode mode) => new(observation.Min, observation.Max);
}
