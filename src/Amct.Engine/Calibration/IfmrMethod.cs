using Amct.Engine.Quantization;

namespace Amct.Engine.Calibration;

/// <summary>
/// AMCT's IFMR (input feature map reconstruction): start from the percentile extremes (default 0.999999: the
/// k-th largest and k-th smallest values, k = N − ⌊p·N⌋), then try clip maxima from 0.7× to 1.3× of the start in
/// steps of 0.01 and keep the one whose quantize→dequantize MSE over all values is lowest. As in AMCT's code, only the
/// upper clip is searched in asymmetric mode (the lower stays at the percentile); symmetric mode searches ±c.
/// Unlike AMCT, which keeps every activation of every sample to sort them, the percentiles and the MSE come from the
/// streaming histogram (uniform density inside each of its 8192 bins), so memory does not grow with the data.
/// </summary>
public sealed class IfmrMethod(
    double maxPercentile = 0.999999,
    double minPercentile = 0.999999,
    double searchStart = 0.7,
    double searchEnd = 1.3,
    double searchStep = 0.01) : IRangeMethod
{
    public string Name => "ifmr";
    public bool NeedsHistogram => true;

    public ClipRange Compute(TensorObservation observation, ActivationMode mode)
    {
        if (RangeMethods.IsDegenerate(observation))
        {
            return new ClipRange(observation.Min, observation.Max);
        }
        var histogram = observation.Histogram!;
        var upper = Math.Max(KthFromTop(histogram, maxPercentile), 0);
        var lower = Math.Min(KthFromBottom(histogram, minPercentile), 0);
        var candidates = (int)Math.Floor(((searchEnd - searchStart) / searchStep) + 1 + 1e-9);

        var best = new ClipRange(lower, upper);
        var bestError = double.PositiveInfinity;
        for (var i = 0; i < candidates; i++)
        {
            var ratio = searchStart + (i * searchStep);
            var clip = mode == ActivationMode.Symmetric
                ? Symmetric(ratio * Math.Max(upper, -lower))
                : new ClipRange(lower, ratio * upper);
            if (clip.Max <= clip.Min)
            {
                continue;
            }
            var error = HistogramMath.SquaredError(histogram, ActivationParams.FromRange(clip.Min, clip.Max, mode));
            if (error < bestError)
            {
                bestError = error;
                best = clip;
            }
        }
        return best;
    }

    private static ClipRange Symmetric(double c) => new(-c, c);

    /// <summary>AMCT's k-th largest value for a percentile: k = 1 when p = 1, else N − ⌊p·N⌋.</summary>
    private static double KthFromTop(StreamingHistogram histogram, double p)
    {
        var k = p >= 1 ? 1 : histogram.Count - (long)Math.Floor(p * histogram.Count);
        return HistogramMath.Quantile(histogram, (histogram.Count - k + 0.5) / histogram.Count);
    }

    private static double KthFromBottom(StreamingHistogram histogram, double p)
    {
        var k = p >= 1 ? 1 : histogram.Count - (long)Math.Floor(p * histogram.Count);
        return HistogramMath.Quantile(histogram, (k - 0.5) / histogram.Count);
    }
}
