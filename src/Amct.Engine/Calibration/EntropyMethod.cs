using Amct.Engine.Quantization;

namespace Amct.Engine.Calibration;

/// <summary>
/// KL-divergence threshold search (TensorRT's entropy calibration): histogram |x| (or x, for tensors that are never
/// negative) into 2048 bins; for every threshold from the number of quantization levels up to the last bin, compare
/// the clipped distribution with its quantized version and keep the threshold with the smallest KL divergence. Levels:
/// 128 for signed tensors (one sign of int8), 256 for non-negative ones. ONNX Runtime's default of 128 bins with 128
/// levels leaves one candidate, i.e. plain min/max; 2048 bins give a real search. Thresholds are searched coarse to
/// fine (<see cref="CandidateSearch"/>).
/// </summary>
public sealed class EntropyMethod(int bins = 2048) : IRangeMethod
{
    public string Name => "entropy";
    public bool NeedsHistogram => true;

    public ClipRange Compute(TensorObservation observation, ActivationMode mode)
    {
        if (RangeMethods.IsDegenerate(observation))
        {
            return new ClipRange(observation.Min, observation.Max);
        }
        var nonNegative = observation.Min >= 0;
        var levels = nonNegative ? 256 : 128;
        var top = Math.Max(Math.Abs(observation.Min), Math.Abs(observation.Max));
        var histogram = MagnitudeHistogram(observation.Histogram!, top);
        var width = top / bins;

        var reference = new double[bins];
        var quantized = new double[bins];
        var bestThreshold = levels + CandidateSearch.Best(bins - levels + 1,
            i => Divergence(histogram, levels + i, levels, reference, quantized));
        var limit = bestThreshold * width;
        return nonNegative
            ? new ClipRange(observation.Min, Math.Min(observation.Max, limit))
            : new ClipRange(Math.Max(observation.Min, -limit), Math.Min(observation.Max, limit));
    }

    /// <summary>
    /// Counts of |x| in <c>bins</c> bins over [0, top], each value counted once, without the exact zeros: 0 is on every
    /// int8 grid, so a ReLU's zeros are reproduced exactly whatever the threshold. Left in, their spike in bin 0 makes
    /// every threshold that merges bin 0 with its neighbours look costly, and the search then clips far too hard.
    /// </summary>
    private double[] MagnitudeHistogram(StreamingHistogram histogram, double top)
    {
        var counts = HistogramMath.RebinMagnitudes(histogram, top, bins);
        counts[0] = Math.Max(0, counts[0] - histogram.Zeros);
        return counts;
    }

    /// <summary>KL(P‖Q) for the first <paramref name="threshold"/> bins (outliers folded into the last one).</summary>
    private static double Divergence(double[] histogram, int threshold, int levels, double[] reference, double[] quantized)
    {
        Array.Copy(histogram, reference, threshold);
        for (var k = threshold; k < histogram.Length; k++)
        {
            reference[threshold - 1] += histogram[k];
        }

        // Quantized: merge the clipped bins (without the outliers folded into P's last bin, so that clipping shows up
        // as a difference) into `levels` groups, then spread each group evenly over its non-empty bins.
        Array.Clear(quantized, 0, threshold);
        for (var level = 0; level < levels; level++)
        {
            var start = level * threshold / levels;
            var end = (level + 1) * threshold / levels;
            double sum = 0;
            var nonEmpty = 0;
            for (var k = start; k < end; k++)
            {
                sum += histogram[k];
                nonEmpty += histogram[k] > 0 ? 1 : 0;
            }
            if (nonEmpty == 0)
            {
                continue;
            }
            for (var k = start; k < end; k++)
            {
                if (histogram[k] > 0)
                {
                    quantized[k] = sum / nonEmpty;
                }
            }
        }

        double referenceTotal = 0, quantizedTotal = 0;
        for (var k = 0; k < threshold; k++)
        {
            referenceTotal += reference[k];
            quantizedTotal += quantized[k];
        }
        if (referenceTotal <= 0 || quantizedTotal <= 0)
        {
            return double.PositiveInfinity;
        }
        double divergence = 0;
        for (var k = 0; k < threshold; k++)
        {
            if (reference[k] <= 0)
            {
                continue;
            }
            var p = reference[k] / referenceTotal;
            var q = Math.Max(quantized[k] / quantizedTotal, 1e-12);
            divergence += p * Math.Log(p / q);
        }
        return divergence;
    }
}
