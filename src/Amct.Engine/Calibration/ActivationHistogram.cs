namespace Amct.Engine.Calibration;

/// <summary>
/// A coarse histogram of the values calibration saw on one tensor, for the reports: <see cref="Counts"/> equal bins from
/// <see cref="Low"/> (the observed minimum) to <see cref="High"/> (the observed maximum).
/// </summary>
public sealed record ActivationHistogram(double Low, double High, IReadOnlyList<long> Counts)
{
    /// <summary>Enough bins to show the shape of a distribution in a report row, few enough to keep the JSON small.</summary>
    public const int ReportBins = 48;

    /// <summary>
    /// <paramref name="histogram"/>'s fine bins merged into <paramref name="bins"/> equal ones over the observed range
    /// (each fine bin goes whole into the coarse bin holding its centre); null when every value seen was one constant.
    /// </summary>
    public static ActivationHistogram? Of(StreamingHistogram histogram, int bins = ReportBins)
    {
        if (!histogram.HasRange || !(histogram.Max > histogram.Min))
        {
            return null;
        }
        var (low, high) = (histogram.Min, histogram.Max);
        var counts = new long[bins];
        var fine = histogram.Counts;
        for (var i = 0; i < fine.Length; i++)
        {
            if (fine[i] == 0)
            {
                continue;
            }
            var centre = histogram.Low + ((i + 0.5) * histogram.BinWidth);
            var coarse = (int)Math.Clamp(Math.Floor((centre - low) / (high - low) * bins), 0, bins - 1);
            counts[coarse] += fine[i];
        }
        return new ActivationHistogram(low, high, counts);
    }
}
