using Amct.Engine.Data;
using Amct.TestSupport;
using static Amct.Engine.Tests.Data.DataAssert;

namespace Amct.Engine.Tests.Data;

/// <summary>Files change between opening a source and reading it: each read reopens them and reports what it finds.</summary>
[TestClass]
public sealed class SourceLifetimeTests
{
    [TestMethod]
    [DataRow("x.npy")]
    [DataRow("x.npz")]
    public void A_file_deleted_after_opening_is_AMCT3016_when_read(string name)
    {
        using var temp = new TempFolder();
        var path = temp.File(name);
        Write(path, rows: 4);
        using var source = SampleSources.Open(path, [Float("x", N, 2)]);
        File.Delete(path);
        Throws(() => _ = source.Read().ToList(), ErrorCodes.DataUnreadable, path, "could not be read");
    }

    [TestMethod]
    [DataRow("x.npy")]
    [DataRow("x.npz")]
    public void A_file_cut_short_after_opening_is_AMCT3010_when_read(string name)
    {
        using var temp = new TempFolder();
        var path = temp.File(name);
        Write(path, rows: 4);
        using var source = SampleSources.Open(path, [Float("x", N, 2)]);
        if (name.EndsWith(".npy", StringComparison.Ordinal))
        {
            File.WriteAllBytes(path, File.ReadAllBytes(path)[..^8]);
        }
        else
        {
            NpyWriter.WriteNpz(path, true, ("x", NpyWriter.Bytes<float>([4, 2], new float[8])[..^8]));
        }
        Throws(() => _ = source.Read().ToList(), ErrorCodes.DataCorrupt, path, "is damaged");
    }

    [TestMethod]
    public void A_source_can_be_read_by_two_enumerations_at_once()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npz");
        Write(path, rows: 4);
        using var source = SampleSources.Open(path, [Float("x", N, 2)]);
        var pairs = source.Read().Zip(source.Read()).ToList();
        Assert.HasCount(4, pairs);
        Assert.IsTrue(pairs.All(p => p.First.Inputs["x"].RawData.Equals(p.Second.Inputs["x"].RawData)));
    }

    private static void Write(string path, int rows)
    {
        var values = Enumerable.Range(0, rows * 2).Select(i => (float)i).ToArray();
        if (path.EndsWith(".npy", StringComparison.Ordinal))
        {
            NpyWriter.Write<float>(path, [rows, 2], values);
        }
        else
        {
            NpyWriter.WriteNpz(path, true, ("x", NpyWriter.Bytes<float>([rows, 2], values)));
        }
    }
}
