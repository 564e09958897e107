using Amct.Engine.Quantization;

namespace Amct.Engine.Calibration;

/// <summary>
/// AMCT's HFMG (histogram search): re-bin the observed values into 4096 bins over [min, max], then shrink the window
/// greedily — each round tentatively trims at least 1/100000 of the values (and at least one count) from each end and
/// keeps the trim that removes more bins (the sparser tail) — until a quarter of the bins is left. Every window on
/// the way is a candidate; the one whose quantize→dequantize squared error over the histogram is lowest wins. The
/// error is the one the model's Q/DQ pair makes (0 forced into the range, 256 codes, clamping), not a proxy.
/// </summary>
public sealed class HfmgMethod(int bins = 4096) : IRangeMethod
{
    public string Name => "hfmg";
    public bool NeedsHistogram => true;

    public ClipRange Compute(TensorObservation observation, ActivationMode mode)
    {
        if (RangeMethods.IsDegenerate(observation))
        {
            return new ClipRange(observation.Min, observation.Max);
        }
        var histogram = observation.Histogram!;
        var counts = HistogramMath.Rebin(histogram, observation.Min, observation.Max, bins);
        var width = (observation.Max - observation.Min) / bins;
        var total = counts.Sum();
        var step = Math.Max(Math.Ceiling(total / 100000), 1);
        var stopSpan = (int)Math.Ceiling(bins / 4.0);

        var candidates = Windows(counts, step, stopSpan)
            .Select(w => new ClipRange(observation.Min + (w.Left * width), observation.Min + ((w.Right + 1) * width)))
            .Prepend(new ClipRange(observation.Min, observation.Max))
            .ToList();
        return BestOf(candidates, c => Error(histogram, c, mode));
    }

    /// <summary>The windows AMCT's greedy trimming visits, widest first.</summary>
    private static IEnumerable<(int Left, int Right)> Windows(double[] counts, double step, int stopSpan)
    {
        var left = 0;
        var right = counts.Length - 1;
        while (right - left + 1 > stopSpan)
        {
            var trimmedLeft = left;
            for (double removed = 0; removed < step && trimmedLeft < right; trimmedLeft++)
            {
                removed += counts[trimmedLeft];
            }
            var trimmedRight = right;
            for (double removed = 0; removed < step && trimmedRight > left; trimmedRight--)
            {
                removed += counts[trimmedRight];
            }
            if (right - trimmedRight >= trimmedLeft - left)
            {
                right = trimmedRight;
            }
            else
            {
                left = trimmedLeft;
            }
            yield return (left, right);
        }
    }

    /// <summary>
    /// The candidate with the lowest error, found coarse to fine: every k-th candidate first (about 64 of them), then
    /// every candidate within k of the best. The error changes smoothly along the sequence of shrinking windows, so
    /// this finds AMCT's minimum (or one within a hair of it) at a twentieth of the cost of trying the ~3000 windows.
    /// </summary>
    internal static ClipRange BestOf(IReadOnlyList<ClipRange> candidates, Func<ClipRange, double> error)
    {
        var stride = Math.Max(1, candidates.Count / 64);
        var best = 0;
        var bestError = double.PositiveInfinity;
        void Try(int i)
        {
            var e = error(candidates[i]);
            if (e < bestError)
            {
                bestError = e;
                best = i;
            }
        }
        for (var i = 0; i < candidates.Count; i += stride)
        {
            Try(i);
        }
        Try(candidates.Count - 1);
        var center = best;
        for (var i = Math.Max(0, center - stride); i <= Math.Min(candidates.Count - 1, center + stride); i++)
        {
            Try(i);
        }
        return candidates[best];
    }

    private static double Error(StreamingHistogram histogram, ClipRange clip, ActivationMode mode)
    {
        var range = mode == ActivationMode.Symmetric
            ? new ClipRange(-Math.Max(-clip.Min, clip.Max), Math.Max(-clip.Min, clip.Max))
            : clip;
        return HistogramMath.SquaredError(histogram, ActivationParams.FromRange(range.Min, range.Max, mode));
    }
}
