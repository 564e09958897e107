namespace Amct.Engine.Quantization.Balancing;

/// <summary>
/// DMQ's balance factor per input channel (AMCT's SmoothQuant equivalent): <c>s_j = max|X_j|^α / max|W_j|^(1−α)</c>, α the
/// migration strength. Dividing the activation's channel j by s_j and multiplying the weight's input channel j by it
/// leaves the product unchanged while moving range from the activation's outlier channels into the weights, which
/// have one int8 scale per output channel and so absorb it better.
/// </summary>
public static class BalanceFactors
{
    /// <summary>AMCT's default migration strength (<c>migration_strength</c>, <c>dmq_balancer_param</c>).</summary>
    public const double DefaultStrength = 0.5;

    /// <summary>
    /// AMCT's bounds on a factor: (FLT_EPSILON, 1/FLT_EPSILON). A factor outside them would underflow or overflow the
    /// weight or the inverse the activation is multiplied by.
    /// </summary>
    private const double Smallest = 1.1920929e-07;
    private const double Largest = 1 / Smallest;

    /// <summary>
    /// A tensor is balanced (under the <c>DmqBalancing</c> setting, as opposed to a config naming the layer) when its
    /// largest channel maximum is this many times the median channel's: then a few channels set the int8 step of all
    /// the others. Below it the activation's range is shared evenly and balancing would only coarsen the weights.
    /// </summary>
    public const double OutlierRatio = 8;

    /// <summary>
    /// The factors for per-channel maxima of the activation and of the weights (over every output channel of every layer
    /// reading it). A channel that is all zero in the activation or in the weights keeps 1: there is nothing to move.
    /// </summary>
    public static float[] Compute(IReadOnlyList<double> activationMax, IReadOnlyList<double> weightMax, double strength)
    {
        if (activationMax.Count != weightMax.Count)
        {
            throw new ArgumentException($"{activationMax.Count} activation channels but {weightMax.Count} weight channels");
        }
        var factors = new float[activationMax.Count];
        for (var j = 0; j < factors.Length; j++)
        {
            var (x, w) = (activationMax[j], weightMax[j]);
            factors[j] = x > 0 && w > 0
                ? (float)Math.Clamp(Math.Pow(x, strength) / Math.Pow(w, 1 - strength), Smallest, Largest)
                : 1f;
        }
        return factors;
    }

    /// <summary>Whether a few channels dominate the tensor's range (<see cref="OutlierRatio"/>).</summary>
    public static bool IsDominated(IReadOnlyList<double> activationMax)
    {
        if (activationMax.Count < 2)
        {
            return false;
        }
        var sorted = activationMax.Order().ToArray();
        var median = sorted[sorted.Length / 2];
        return sorted[^1] > 0 && (median <= 0 || sorted[^1] / median >= OutlierRatio);
    }
}
