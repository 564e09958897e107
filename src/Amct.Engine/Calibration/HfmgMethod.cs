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
        return candidates[CandidateSearch.Best(candidates.Count, i => Error(histogram, candidates[i], mode))];
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

    private static double Error(StreamingHistogram histogram, ClipRange clip, ActivationMode mode)
    {
        var range = mode == ActivationMode.Symmetric
            ? new ClipRange(-Math.Max(-clip.Min, clip.Max), Math.Max(-clip.Min, clip.Max))
            : clip;
        return HistogramMath.SquaredError(histogram, ActivationParams.FromRange(range.Min, range.Max, mode));
    }
}
