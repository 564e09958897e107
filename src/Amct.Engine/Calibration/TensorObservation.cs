namespace Amct.Engine.Calibration;

/// <summary>What calibration saw of one tensor: exact extremes and, for histogram methods, its histogram.</summary>
public sealed class TensorObservation(string tensor, bool keepHistogram)
{
    public string Tensor { get; } = tensor;

    public double Min { get; private set; } = double.PositiveInfinity;
    public double Max { get; private set; } = double.NegativeInfinity;
    public long Count { get; private set; }

    /// <summary>Null when the range method needs only the extremes (MinMax): cheaper calibration.</summary>
    public StreamingHistogram? Histogram { get; } = keepHistogram ? new StreamingHistogram() : null;

    public void Add(ReadOnlySpan<float> values)
    {
        if (Histogram is { } histogram)
        {
            histogram.Add(values);
            Min = histogram.Min;
            Max = histogram.Max;
            Count = histogram.Count;
            return;
        }
        var (min, max) = MinMax.Of(values);
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
        Count += values.Length;
    }
}
