using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>The calibration batches decoded once per job, when they fit, and read again from the source otherwise.</summary>
[TestClass]
public sealed class CalibrationBatchCacheTests
{
    private static readonly IReadOnlyList<ModelInput> Inputs = [];

    [TestMethod]
    public void Batches_read_to_the_end_are_served_again_without_reading()
    {
        var cache = new CalibrationBatchCache();
        var source = new CountedSource();

        var first = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, source.Read).ToList();
        var second = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, source.Read).ToList();

        Assert.AreEqual(1, source.Reads);
        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod]
    public void Other_samples_or_batches_are_read_from_the_source()
    {
        var cache = new CalibrationBatchCache();
        var source = new CountedSource();

        _ = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, source.Read).ToList();
        _ = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 4, source.Read).ToList();
        _ = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 3, 4, source.Read).ToList();
        _ = cache.Read("other.npy", Inputs, SampleSourceOptions.Default, 3, 4, source.Read).ToList();

        Assert.AreEqual(4, source.Reads);
    }

    [TestMethod]
    public void Batches_over_the_cap_or_not_read_to_the_end_are_not_kept()
    {
        var small = new CalibrationBatchCache(maxBytes: 100);
        var source = new CountedSource(); // 3 × 64 floats: over 100 bytes

        _ = small.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, source.Read).ToList();
        _ = small.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, source.Read).ToList();
        var large = new CalibrationBatchCache();
        _ = large.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, source.Read).Take(1).ToList();
        _ = large.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, source.Read).ToList();

        Assert.AreEqual(4, source.Reads);
    }

    /// <summary>Three batches of two samples, and how often they were read.</summary>
    private sealed class CountedSource
    {
        public int Reads { get; private set; }

        public IEnumerable<SampleBatch> Read()
        {
            Reads++;
            return Batches(3);
        }
    }

    private static IEnumerable<SampleBatch> Batches(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var values = Enumerable.Range(0, 2 * 32).Select(v => (float)(v + i)).ToArray();
            yield return new SampleBatch(2L * i, 2, new Dictionary<string, TensorProto>
            {
                ["X"] = TensorData.FromArray<float>("X", [2, 32], values),
            });
        }
    }
}
