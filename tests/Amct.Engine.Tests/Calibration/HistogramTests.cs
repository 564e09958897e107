using Amct.Engine.Calibration;
using Amct.Engine.Quantization;

namespace Amct.Engine.Tests.Calibration;

[TestClass]
public sealed class HistogramTests
{
    [TestMethod]
    public void Growing_the_range_keeps_every_count_and_the_extremes()
    {
        var histogram = new StreamingHistogram();
        histogram.Add([0f, 0.5f, 1f]);
        histogram.Add([-10f, 3f]);
        histogram.Add([100f]);
        Assert.AreEqual(6, histogram.Count);
        Assert.AreEqual(6, histogram.Counts.ToArray().Sum());
        Assert.AreEqual(-10.0, histogram.Min);
        Assert.AreEqual(100.0, histogram.Max);
        Assert.IsLessThanOrEqualTo(-10.0, histogram.Low);
        Assert.IsGreaterThanOrEqualTo(100.0, histogram.Low + (histogram.BinWidth * StreamingHistogram.Bins));
    }

    [TestMethod]
    public void Constant_batches_before_a_range_exists_are_binned_at_their_value()
    {
        var histogram = new StreamingHistogram();
        histogram.Add([0f, 0f, 0f]);
        histogram.Add([-4f, 4f]);
        Assert.AreEqual(5, histogram.Counts.ToArray().Sum());
        // Sorted: -4, 0, 0, 0, 4. The median sits among the three zeros, which were binned at 0, not at -4.
        Assert.AreEqual(0.0, HistogramMath.Quantile(histogram, 0.5), 0.01);
        Assert.AreEqual(0.0, HistogramMath.Quantile(histogram, 0.35), 0.01);
    }

    [TestMethod]
    public void Memory_does_not_grow_with_the_number_of_values()
    {
        var histogram = new StreamingHistogram();
        var batch = Enumerable.Range(0, 10_000).Select(i => (float)Math.Sin(i)).ToArray();
        histogram.Add(batch);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            histogram.Add(batch);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.IsLessThan(100_000L, allocated, $"allocated {allocated} bytes for 1M values");
        Assert.AreEqual(1_010_000, histogram.Count);
    }

    [TestMethod]
    public void Squared_error_from_the_histogram_matches_the_values()
    {
        var random = new Random(7);
        var values = Enumerable.Range(0, 200_000).Select(_ => (float)Math.Abs(NextGaussian(random))).ToArray();
        var histogram = new StreamingHistogram();
        histogram.Add(values);
        var quant = ActivationParams.FromRange(0, 2.5, ActivationMode.Asymmetric);
        var exact = values.Sum(v => Math.Pow(quant.RoundTrip(v) - v, 2));
        var estimated = HistogramMath.SquaredError(histogram, quant);
        Assert.AreEqual(exact, estimated, exact * 0.02, "within 2 %");
    }

    [TestMethod]
    public void Quantiles_come_from_the_histogram()
    {
        var values = Enumerable.Range(0, 100_001).Select(i => i / 1000f).ToArray();
        var histogram = new StreamingHistogram();
        histogram.Add(values);
        Assert.AreEqual(50.0, HistogramMath.Quantile(histogram, 0.5), 0.05);
        Assert.AreEqual(99.0, HistogramMath.Quantile(histogram, 0.99), 0.05);
    }

    internal static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
