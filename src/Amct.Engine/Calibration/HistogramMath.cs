using Amct.Engine.Quantization;

namespace Amct.Engine.Calibration;

/// <summary>
/// Exact sums over a histogram under one stated approximation: values are spread uniformly inside each bin. With
/// 8192 bins over at most twice the observed range, a bin is a small fraction of one int8 step, so quantities such as
/// the quantization MSE are within a fraction of a percent of what the raw values give, at O(bins) cost instead of
/// O(values).
/// </summary>
public static class HistogramMath
{
    /// <summary>
    /// Sum over all values of (dequantize(quantize(x)) − x)², as the model's Q/DQ pair computes it (clamped to the
    /// 256 codes). Uses the closed form of the integral of the squared rounding error.
    /// </summary>
    public static double SquaredError(StreamingHistogram histogram, ActivationParams quant)
    {
        var step = (double)quant.Scale;
        var (lowest, highest) = quant.Range;
        var counts = histogram.Counts;
        double total = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            if (counts[k] == 0)
            {
                continue;
            }
            var a = histogram.Low + (k * histogram.BinWidth);
            var b = a + histogram.BinWidth;
            total += counts[k] / histogram.BinWidth * IntegratedSquaredError(a, b, lowest, highest, step);
        }
        return total;
    }

    /// <summary>Sum of x² over all values (the signal power, for SQNR).</summary>
    public static double SquaredSum(StreamingHistogram histogram)
    {
        var counts = histogram.Counts;
        double total = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            if (counts[k] == 0)
            {
                continue;
            }
            var a = histogram.Low + (k * histogram.BinWidth);
            var b = a + histogram.BinWidth;
            total += counts[k] * ((a * a) + (a * b) + (b * b)) / 3;
        }
        return total;
    }

    /// <summary>
    /// ∫ₐᵇ (x − q(x))² dx, where q rounds to the nearest point of the grid lowest, lowest+step, …, highest and
    /// clamps outside it.
    /// </summary>
    public static double IntegratedSquaredError(double a, double b, double lowest, double highest, double step)
    {
        double total = 0;
        // Below the grid everything maps to `lowest`.
        if (a < lowest)
        {
            var end = Math.Min(b, lowest);
            total += (Cube(end - lowest) - Cube(a - lowest)) / 3;
            a = end;
        }
        // Above the grid everything maps to `highest`.
        if (b > highest)
        {
            var start = Math.Max(a, highest);
            total += (Cube(b - highest) - Cube(start - highest)) / 3;
            b = start;
        }
        if (b > a)
        {
            // Inside: in units of the step, the error is u − round(u), periodic with ∫ over a period = 1/12.
            var u0 = (a - lowest) / step;
            var u1 = (b - lowest) / step;
            total += (PeriodicIntegral(u1) - PeriodicIntegral(u0)) * step * step * step;
        }
        return total;
    }

    /// <summary>Antiderivative of (u − round(u))², continuous in u.</summary>
    private static double PeriodicIntegral(double u)
    {
        var nearest = Math.Floor(u + 0.5);
        var t = u - nearest;
        return (nearest / 12) + ((Cube(t) + 0.125) / 3);
    }

    private static double Cube(double x) => x * x * x;

    /// <summary>
    /// The value below which a fraction <paramref name="fraction"/> of all values lie (linear inside a bin).
    /// </summary>
    public static double Quantile(StreamingHistogram histogram, double fraction)
    {
        var target = fraction * histogram.Count;
        var counts = histogram.Counts;
        double cumulative = 0;
        for (var k = 0; k < counts.Length; k++)
        {
            if (cumulative + counts[k] >= target && counts[k] > 0)
            {
                var inside = (target - cumulative) / counts[k];
                var value = histogram.Low + ((k + inside) * histogram.BinWidth);
                return Math.Clamp(value, histogram.Min, histogram.Max);
            }
            cumulative += counts[k];
        }
        return histogram.Max;
    }

    /// <summary>
    /// Re-bins the magnitudes |x| onto <paramref name="bins"/> equal bins over [0, <paramref name="top"/>] (top at least
    /// max|x|): each source bin is split at 0, its negative part mirrored, and every part spread uniformly over the
    /// target bins it overlaps. Each value is counted once, at its magnitude.
    /// </summary>
    public static double[] RebinMagnitudes(StreamingHistogram histogram, double top, int bins)
    {
        var result = new double[bins];
        var width = top / bins;
        foreach (var (a, b, count) in NonEmptyBins(histogram))
        {
            var density = count / histogram.BinWidth;
            if (a < 0)
            {
                Spread(result, -Math.Min(b, 0), -a, density, width);
            }
            if (b > 0)
            {
                Spread(result, Math.Max(a, 0), b, density, width);
            }
        }
        return result;
    }

    /// <summary>The bins that hold values, as their edges and count.</summary>
    private static IEnumerable<(double Low, double High, long Count)> NonEmptyBins(StreamingHistogram histogram)
    {
        for (var k = 0; k < StreamingHistogram.Bins; k++)
        {
            var count = histogram.Counts[k];
            if (count != 0)
            {
                var low = histogram.Low + (k * histogram.BinWidth);
                yield return (low, low + histogram.BinWidth, count);
            }
        }
    }

    /// <summary>Adds density × overlap to each bin of width <paramref name="width"/> from 0 that [a, b] overlaps.</summary>
    private static void Spread(double[] result, double a, double b, double density, double width)
    {
        // Only the source bin holding the extreme reaches past the end (its upper edge lies beyond max|x|); the last
        // bin takes that part, so every count is kept.
        var last = result.Length - 1;
        var first = Math.Min(last, (int)(a / width));
        var end = Math.Min(last, (int)(b / width));
        for (var t = first; t <= end; t++)
        {
            var upper = t == last ? double.PositiveInfinity : (t + 1) * width;
            var overlap = Math.Min(b, upper) - Math.Max(a, t * width);
            if (overlap > 0)
            {
                result[t] += density * overlap;
            }
        }
    }

    /// <summary>
    /// Re-bins the histogram onto <paramref name="bins"/> equal bins over [low, high], spreading each source bin's
    /// count uniformly over the part of it that overlaps each target bin.
    /// </summary>
    public static double[] Rebin(StreamingHistogram histogram, double low, double high, int bins)
    {
        var result = new double[bins];
        var width = (high - low) / bins;
        foreach (var (binLow, binHigh, count) in NonEmptyBins(histogram))
        {
            // Clamp the source bin to the target range (only the data's extremes can be outside by rounding).
            var a = Math.Clamp(binLow, low, high);
            var b = Math.Clamp(binHigh, low, high);
            if (b <= a)
            {
                result[a <= low ? 0 : bins - 1] += count;
                continue;
            }
            var density = count / (b - a);
            var first = Math.Min(bins - 1, (int)((a - low) / width));
            var last = Math.Min(bins - 1, (int)((b - low) / width));
            for (var t = first; t <= last; t++)
            {
                var overlap = Math.Min(b, low + ((t + 1) * width)) - Math.Max(a, low + (t * width));
                if (overlap > 0)
                {
                    result[t] += density * overlap;
                }
            }
        }
        return result;
    }
}
