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
        var reads = 0;
        IEnumerable<SampleBatch> Read()
        {
            reads++;
            return Batches(3);
        }

        var first = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, Read).ToList();
        var second = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, Read).ToList();

        Assert.AreEqual(1, reads);
        CollectionAssert.AreEqual(first, second);
    }

    [TestMethod]
    public void Other_samples_or_batches_are_read_from_the_source()
    {
        var cache = new CalibrationBatchCache();
        var reads = 0;
        IEnumerable<SampleBatch> Read()
        {
            reads++;
            return Batches(3);
        }

        _ = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, Read).ToList();
        _ = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 4, Read).ToList();
        _ = cache.Read("data.npy", Inputs, SampleSourceOptions.Default, 3, 4, Read).ToList();
        _ = cache.Read("other.npy", Inputs, SampleSourceOptions.Default, 3, 4, Read).ToList();

        Assert.AreEqual(4, reads);
    }

    [TestMethod]
    public void Batches_over_the_cap_or_not_read_to_the_end_are_not_kept()
    {
        var small = new CalibrationBatchCache(maxBytes: 100);
        var reads = 0;
        IEnumerable<SampleBatch> Read()
        {
            reads++;
            return Batches(3); // 3 × 64 floats: over 100 bytes
        }

        _ = small.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, Read).ToList();
        _ = small.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, Read).ToList();
        var large = new CalibrationBatchCache();
        _ = large.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, Read).Take(1).ToList();
        _ = large.Read("data.npy", Inputs, SampleSourceOptions.Default, 2, 6, Read).ToList();

        Assert.AreEqual(4, reads);
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
