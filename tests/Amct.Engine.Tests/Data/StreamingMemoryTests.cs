using System.Runtime.CompilerServices;
using Amct.Engine.Data;
using Amct.TestSupport;
using static Amct.Engine.Tests.Data.DataAssert;

namespace Amct.Engine.Tests.Data;

/// <summary>
/// Samples stream: memory does not grow with the number of samples. Allocation is measured per thread
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), so tests running in parallel do not disturb it.
/// </summary>
[TestClass]
public sealed class StreamingMemoryTests
{
    private const int Rows = 4000;
    private const int RowFloats = 256; // 1 KiB per row, 4 MB per file

    [TestMethod]
    [DataRow("x.npy")]
    [DataRow("stored.npz")]
    [DataRow("deflated.npz")]
    public void Reading_the_first_sample_allocates_far_less_than_the_file(string name)
    {
        using var temp = new TempFolder();
        var path = WriteLargeFile(temp, name);
        ModelInput[] inputs = [Float("x", N, RowFloats)];
        var before = GC.GetAllocatedBytesForCurrentThread();
        using (var source = SampleSources.Open(path, inputs))
        {
            Assert.AreEqual(Rows, source.Count);
            Assert.IsNotNull(source.Read().First());
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var fileLength = new FileInfo(path).Length;
        Assert.IsLessThan(Rows * RowFloats * 4L / 16, allocated,
            $"opening and reading one sample allocated {allocated} bytes; the data is {Rows * RowFloats * 4} bytes ({fileLength} on disk)");
    }

    [TestMethod]
    [DataRow("x.npy")]
    [DataRow("deflated.npz")]
    public void Reading_every_sample_allocates_about_one_row_per_sample(string name)
    {
        using var temp = new TempFolder();
        var path = WriteLargeFile(temp, name);
        ModelInput[] inputs = [Float("x", N, RowFloats)];
        using var source = SampleSources.Open(path, inputs);
        var before = GC.GetAllocatedBytesForCurrentThread();
        long count = 0;
        foreach (var sample in source.Read())
        {
            count++;
        }
        var perSample = (GC.GetAllocatedBytesForCurrentThread() - before) / count;
        Assert.AreEqual(Rows, count);
        // One row is 1 KiB; the tensor, dictionary and sample around it take under 1 KiB more (about 830 bytes on
        // .NET 10). Reading the whole file as well would add another 1 KiB per sample and fail this.
        Assert.IsLessThan(RowFloats * 4 + 1536, perSample, $"{perSample} bytes allocated per sample");
    }

    [TestMethod]
    public void Samples_already_handed_out_are_not_kept()
    {
        using var temp = new TempFolder();
        var path = WriteLargeFile(temp, "x.npy");
        using var source = SampleSources.Open(path, [Float("x", N, RowFloats)]);
        using var samples = source.Read().GetEnumerator();
        Assert.IsTrue(samples.MoveNext());
        var first = WeakReferenceTo(samples);
        for (var i = 0; i < 100; i++)
        {
            Assert.IsTrue(samples.MoveNext());
        }
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.IsFalse(first.IsAlive, "the source still references the first sample after 100 more");
    }

    [TestMethod]
    public void Batching_holds_one_batch_at_a_time()
    {
        using var temp = new TempFolder();
        var path = WriteLargeFile(temp, "x.npy");
        ModelInput[] inputs = [Float("x", N, RowFloats)];
        using var source = SampleSources.Open(path, inputs);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var batches = 0;
        foreach (var batch in SampleBatches.Read(source, inputs, 32))
        {
            batches++;
        }
        var perSample = (GC.GetAllocatedBytesForCurrentThread() - before) / Rows;
        Assert.AreEqual(Rows / 32, batches);
        // Each sample's row is read once and copied once into its batch, plus under 1 KiB of objects around it.
        Assert.IsLessThan(2 * RowFloats * 4 + 1536, perSample, $"{perSample} bytes allocated per sample");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference WeakReferenceTo(IEnumerator<Sample> samples) => new(samples.Current);

    private static string WriteLargeFile(TempFolder temp, string name)
    {
        var values = new float[Rows * RowFloats];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i % 251 * 0.5f;
        }
        var npy = NpyWriter.Bytes<float>([Rows, RowFloats], values);
        var path = temp.File(name);
        if (name.EndsWith(".npy", StringComparison.Ordinal))
        {
            File.WriteAllBytes(path, npy);
        }
        else
        {
            NpyWriter.WriteNpz(path, compressed: name.StartsWith("deflated", StringComparison.Ordinal), ("x", npy));
        }
        return path;
    }
}
