using System.IO.Compression;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using static Amct.Engine.Tests.Data.DataAssert;

namespace Amct.Engine.Tests.Data;

/// <summary>.npz files: stored and deflated entries, keys matched to inputs, and broken archives.</summary>
[TestClass]
public sealed class NpzTests
{
    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void Keys_feed_the_inputs_of_their_name_row_by_row(bool compressed)
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        NpyWriter.WriteNpz(path, compressed,
            ("ids", NpyWriter.Bytes<long>([3, 2], [1, 2, 3, 4, 5, 6])),
            ("x", NpyWriter.Bytes<float>([3, 1], [10, 20, 30])));
        var samples = ReadAll(path, Float("x", N, 1), Input("ids", DataTypes.Int64, N, 2));
        Assert.HasCount(3, samples);
        CollectionAssert.AreEqual(new float[] { 20 }, Floats(samples[1], "x"));
        CollectionAssert.AreEqual(new long[] { 3, 4 }, TensorData.ToArray<long>(samples[1].Inputs["ids"]));
        // Inputs come in the model's order whatever the archive's order.
        CollectionAssert.AreEqual(new[] { "x", "ids" }, samples[0].Inputs.Keys.ToArray());
    }

    [TestMethod]
    public void A_single_input_model_takes_a_single_key_of_any_name()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        NpyWriter.WriteNpz(path, true, ("arr_0", NpyWriter.Bytes<float>([2, 2], [1, 2, 3, 4])));
        var samples = ReadAll(path, Float("input", N, 2));
        CollectionAssert.AreEqual(new float[] { 3, 4 }, Floats(samples[1], "input"));
    }

    [TestMethod]
    public void Several_keys_for_a_single_input_model_must_be_named_after_it()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        NpyWriter.WriteNpz(path, false,
            ("input", NpyWriter.Bytes<float>([2, 2], [1, 2, 3, 4])),
            ("labels", NpyWriter.Bytes<long>([2], [0, 1])));
        Fails(path, [Float("input", N, 2)], ErrorCodes.DataUnknownInput, path,
            "entry 'labels' of 'data.npz'", "'input' float32 [?,2]");
    }

    [TestMethod]
    public void A_key_the_model_does_not_have_is_AMCT3004_listing_the_inputs()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        NpyWriter.WriteNpz(path, false,
            ("a", NpyWriter.Bytes<float>([2, 2], [1, 2, 3, 4])),
            ("c", NpyWriter.Bytes<float>([2, 2], [1, 2, 3, 4])));
        Fails(path, [Float("a", N, 2), Float("b", N, 2)], ErrorCodes.DataUnknownInput, path,
            "data for 'c'", "'a' float32 [?,2], 'b' float32 [?,2]");
    }

    [TestMethod]
    public void A_missing_key_is_AMCT3005()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        NpyWriter.WriteNpz(path, false, ("a", NpyWriter.Bytes<float>([2, 2], [1, 2, 3, 4])));
        Fails(path, [Float("a", N, 2), Float("b", N, 2)], ErrorCodes.DataMissingInput, path, "input 'b'");
        var empty = temp.File("empty.npz");
        NpyWriter.WriteNpz(empty, false);
        Fails(empty, [Float("a", N, 2)], ErrorCodes.DataMissingInput, empty, "input 'a'");
    }

    [TestMethod]
    public void Keys_with_different_sample_counts_are_AMCT3009()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        NpyWriter.WriteNpz(path, false,
            ("a", NpyWriter.Bytes<float>([2, 2], [1, 2, 3, 4])),
            ("b", NpyWriter.Bytes<float>([3, 1], [1, 2, 3])));
        Fails(path, [Float("a", N, 2), Float("b", N, 1)], ErrorCodes.DataSampleCountMismatch, path,
            "'a' 2 in entry 'a' of 'data.npz'", "'b' 3 in entry 'b' of 'data.npz'");
    }

    [TestMethod]
    public void Not_a_zip_is_AMCT3010()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        File.WriteAllBytes(path, NpyWriter.Bytes<float>([1], [1f]));
        Fails(path, [Float("a", N)], ErrorCodes.DataCorrupt, path, "not a readable zip archive");
    }

    [TestMethod]
    public void A_truncated_archive_is_a_coded_error_at_every_cut()
    {
        using var temp = new TempFolder();
        var whole = temp.File("whole.npz");
        NpyWriter.WriteNpz(whole, true, ("a", NpyWriter.Bytes<float>([64, 4], Enumerable.Range(0, 256).Select(i => (float)i).ToArray())));
        var bytes = File.ReadAllBytes(whole);
        var path = temp.File("cut.npz");
        for (var length = 0; length < bytes.Length; length += 13)
        {
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.ThrowsExactly<AmctException>(() => ReadAll(path, Float("a", N, 4)), $"cut at {length}");
            Assert.AreEqual(ErrorCodes.DataCorrupt, error.Code, error.Message);
            Assert.AreEqual(path, error.Target);
        }
    }

    [TestMethod]
    public void An_entry_whose_data_is_shorter_than_its_header_says_is_AMCT3010()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        var npy = NpyWriter.Bytes<float>([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
        NpyWriter.WriteNpz(path, true, ("a", npy[..^4]));
        Fails(path, [Float("a", N, 2)], ErrorCodes.DataCorrupt, path, "entry 'a' of 'data.npz' is damaged", "only 28");
    }

    [TestMethod]
    public void Corrupted_deflate_data_is_AMCT3010_when_read()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        var values = Enumerable.Range(0, 4096).Select(i => (float)Math.Sin(i)).ToArray();
        NpyWriter.WriteNpz(path, true, ("a", NpyWriter.Bytes<float>([1024, 4], values)));
        var bytes = File.ReadAllBytes(path);
        // Overwrite the middle of the compressed stream (past the header, before the central directory).
        for (var i = bytes.Length / 3; i < bytes.Length / 3 + 64; i++)
        {
            bytes[i] = 0xFF;
        }
        File.WriteAllBytes(path, bytes);
        var error = Assert.ThrowsExactly<AmctException>(() => ReadAll(path, Float("a", N, 4)));
        Assert.AreEqual(ErrorCodes.DataCorrupt, error.Code, error.Message);
        Assert.AreEqual(path, error.Target);
    }

    [TestMethod]
    public void Folder_entries_are_ignored()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.npz");
        NpyWriter.WriteNpz(path, false, ("a", NpyWriter.Bytes<float>([1, 1], [7f])));
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            zip.CreateEntry("folder/");
        }
        Assert.AreEqual(7f, Floats(ReadAll(path, Float("a", N, 1)).Single(), "a").Single());
    }
}
