using Amct.Engine.Quantization;

namespace Amct.Engine.Calibration;

/// <summary>
/// Clips the rarest values: asymmetric mode keeps [P(1 − p), P(p)] of the distribution; symmetric mode keeps
/// ±P_|x|(p). p defaults to 99.999 % (ONNX Runtime's default, which it tested better than 99.99 %).
/// </summary>
public sealed class PercentileMethod(double percentile = 0.99999) : IRangeMethod
{
    public string Name => "percentile";
    public bool NeedsHistogram => true;

    public ClipRange Compute(TensorObservation observation, ActivationMode mode)
    {
        if (RangeMethods.IsDegenerate(observation))
        {
            return new ClipRange(observation.Min, observation.Max);
        }
        var histogram = observation.Histogram!;
        if (mode == ActivationMode.Symmetric)
        {
            var limit = AbsoluteQuantile(histogram, percentile);
            return new ClipRange(Math.Max(observation.Min, -limit), Math.Min(observation.Max, limit));
        }
        return new ClipRange(
            HistogramMath.Quantile(histogram, 1 - percentile),
            HistogramMath.Quantile(histogram, percentile));
    }

    /// <summary>The t with a fraction p of values inside [−t, t], by bisection on the mass outside.</summary>
    private static double AbsoluteQuantile(StreamingHistogram histogram, double p)
    {
        var low = 0.0;
        var high = Math.Max(Math.Abs(histogram.Min), Math.Abs(histogram.Max));
        for (var i = 0; i < 60; i++)
        {
            var mid = (low + high) / 2;
            var fractionInside = FractionBelow(histogram, mid) - FractionBelow(histogram, -mid);
            if (fractionInside >= p)
            {
                high = mid;
            }
            else
            {
                low = mid;
            }
        }
        return high;
    }

    private static double FractionBelow(StreamingHistogram histogram, double value)
    {
        var counts = histogram.Counts;
        double below = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            var a = histogram.Low + (k * histogram.BinWidth);
            var b = a + histogram.BinWidth;
            if (b <= value)
            {
                below += counts[k];
            }
            else if (a < value)
            {
                below += counts[k] * (value - a) / histogram.BinWidth;
            }
        }
        return below / histogram.Count;
    }
}
