using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using static Amct.Engine.Tests.Data.DataAssert;

namespace Amct.Engine.Tests.Data;

/// <summary>Which data feeds which input, which shapes and types fit, and the errors when they do not.</summary>
[TestClass]
public sealed class MatchingTests
{
    [TestMethod]
    public void A_single_input_model_takes_an_npy_of_any_name()
    {
        using var temp = new TempFolder();
        var path = temp.File("calibration samples.npy");
        NpyWriter.Write<float>(path, [2, 1], [1, 2]);
        Assert.HasCount(2, ReadAll(path, Float("input", N, 1)));
    }

    [TestMethod]
    public void A_multi_input_model_needs_npy_files_named_after_its_inputs()
    {
        using var temp = new TempFolder();
        NpyWriter.Write<float>(temp.File("a.npy"), [2, 1], [1, 2]);
        NpyWriter.Write<long>(temp.File("b.npy"), [2, 3], [1, 2, 3, 4, 5, 6]);
        File.WriteAllText(temp.File("README.txt"), "ignored");
        var samples = ReadAll(temp.Path, Float("a", N, 1), Input("b", DataTypes.Int64, N, 3));
        CollectionAssert.AreEqual(new long[] { 4, 5, 6 }, TensorData.ToArray<long>(samples[1].Inputs["b"]));
        Assert.AreEqual(2f, Floats(samples[1], "a").Single());
    }

    [TestMethod]
    public void An_npy_named_after_no_input_is_AMCT3004()
    {
        using var temp = new TempFolder();
        NpyWriter.Write<float>(temp.File("a.npy"), [2, 1], [1, 2]);
        var stray = temp.File("labels.npy");
        NpyWriter.Write<float>(stray, [2, 1], [1, 2]);
        Fails(temp.Path, [Float("a", N, 1), Float("b", N, 1)], ErrorCodes.DataUnknownInput, stray,
            "'labels.npy' holds data for 'labels'", "'a' float32 [?,1], 'b' float32 [?,1]");
    }

    [TestMethod]
    public void A_single_npy_for_a_two_input_model_is_AMCT3005()
    {
        using var temp = new TempFolder();
        var path = temp.File("a.npy");
        NpyWriter.Write<float>(path, [2, 1], [1, 2]);
        Fails(path, [Float("a", N, 1), Float("b", N, 1)], ErrorCodes.DataMissingInput, path,
            "no data for input 'b' (float32 [?,1])");
    }

    [TestMethod]
    public void An_input_with_data_in_two_files_is_AMCT3006()
    {
        using var temp = new TempFolder();
        NpyWriter.Write<float>(temp.File("a.npy"), [2, 1], [1, 2]);
        var npz = temp.File("more.npz");
        NpyWriter.WriteNpz(npz, false, ("a", NpyWriter.Bytes<float>([2, 1], [1, 2])), ("b", NpyWriter.Bytes<float>([2, 1], [1, 2])));
        Fails(temp.Path, [Float("a", N, 1), Float("b", N, 1)], ErrorCodes.DataDuplicateInput, npz,
            "'a.npy'", "entry 'a' of 'more.npz'");
    }

    [TestMethod]
    public void A_folder_for_a_single_input_model_adds_every_file_in_ordinal_order()
    {
        using var temp = new TempFolder();
        NpyWriter.Write<float>(temp.File("b.npy"), [2, 1], [3, 4]);
        NpyWriter.Write<float>(temp.File("a.npy"), [2, 1], [1, 2]);
        NpyWriter.WriteNpz(temp.File("B.npz"), true, ("whatever", NpyWriter.Bytes<float>([1, 1], [0])));
        NpyWriter.Write<float>(temp.File("a10.npy"), [1, 1], [2.5f]);
        // Ordinal order: "B.npz" < "a.npy" < "a10.npy" < "b.npy".
        var values = ReadAll(temp.Path, Float("x", N, 1)).Select(s => Floats(s, "x").Single()).ToArray();
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 2.5f, 3, 4 }, values);
    }

    [TestMethod]
    public void Dynamic_dims_take_the_datas_size()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [2, 3, 5], new float[30]);
        var sample = ReadAll(path, Float("x", N, 3, N))[0];
        CollectionAssert.AreEqual(new long[] { 3, 5 }, Dims(sample, "x"));
    }

    [TestMethod]
    public void Samples_may_have_the_full_input_shape_when_the_batch_is_fixed_to_1()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [4, 1, 2, 3], Enumerable.Range(0, 24).Select(i => (float)i).ToArray());
        var samples = ReadAll(path, Float("x", 1, 2, 3));
        Assert.HasCount(4, samples);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, Dims(samples[1], "x"));
        CollectionAssert.AreEqual(new float[] { 6, 7, 8, 9, 10, 11 }, Floats(samples[1], "x"));
        // The usual layout reads the same samples.
        NpyWriter.Write<float>(path, [4, 2, 3], Enumerable.Range(0, 24).Select(i => (float)i).ToArray());
        CollectionAssert.AreEqual(new float[] { 6, 7, 8, 9, 10, 11 }, Floats(ReadAll(path, Float("x", 1, 2, 3))[1], "x"));
    }

    [TestMethod]
    public void The_full_input_shape_is_not_accepted_for_a_batch_other_than_1()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [4, 2, 2, 3], new float[48]);
        Fails(path, [Float("x", 2, 2, 3)], ErrorCodes.DataShapeMismatch, path, "samples of shape [2,3]");
    }

    [TestMethod]
    public void A_shape_mismatch_is_AMCT3007_naming_input_expected_and_found()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [5, 3, 8, 8], new float[5 * 3 * 64]);
        Fails(path, [Float("input", N, 1, 8, 8)], ErrorCodes.DataShapeMismatch, path,
            "input 'input' (float32 [?,1,8,8]) takes samples of shape [1,8,8]",
            "'x.npy' holds 5 samples of shape [3,8,8] (array shape [5,3,8,8])");
        Fails(path, [Float("input", 1, 1, 8, 8)], ErrorCodes.DataShapeMismatch, path,
            "or the full input shape [1,1,8,8]");
        Fails(path, [Float("input", N, 8, 8)], ErrorCodes.DataShapeMismatch, path, "[8,8]", "[3,8,8]");
    }

    [TestMethod]
    public void A_0_d_array_is_AMCT3007()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [], [1f]);
        Fails(path, [Float("x", N, 2)], ErrorCodes.DataShapeMismatch, path, "0-d array", "[N,2]");
    }

    [TestMethod]
    public void Float64_data_for_a_float32_input_is_AMCT3008_saying_how_to_convert()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<double>(path, [2, 1], [1, 2]);
        Fails(path, [Float("x", N, 1)], ErrorCodes.DataTypeMismatch, path,
            "input 'x' [?,1] takes float32 but 'x.npy' holds float64", "array.astype(numpy.float32)");
        NpyWriter.Write<int>(path, [2, 1], [1, 2]);
        Fails(path, [Input("x", DataTypes.Int64, N, 1)], ErrorCodes.DataTypeMismatch, path,
            "holds int32", "astype(numpy.int64)");
    }

    [TestMethod]
    public void A_rank_0_input_is_AMCT3015()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [2], [1, 2]);
        Fails(path, [Float("x", N), Float("scale")], ErrorCodes.InputNotBatchable, path, "input 'scale' is a scalar");
    }

    [TestMethod]
    public void Inputs_that_fix_different_batch_sizes_are_AMCT3015()
    {
        using var temp = new TempFolder();
        var path = temp.File("d.npz");
        NpyWriter.WriteNpz(path, false, ("a", NpyWriter.Bytes<float>([4, 1], new float[4])), ("b", NpyWriter.Bytes<float>([4, 1], new float[4])));
        Fails(path, [Float("a", 1, 1), Float("b", 4, 1)], ErrorCodes.InputNotBatchable, path, "'a' float32 [1,1], 'b' float32 [4,1]");
    }

    [TestMethod]
    public void Zero_samples_is_AMCT3014()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [0, 3], []);
        Fails(path, [Float("x", N, 3)], ErrorCodes.DataEmpty, path, "no samples");
    }

    [TestMethod]
    public void A_path_that_does_not_exist_is_AMCT3001()
    {
        using var temp = new TempFolder();
        var path = temp.File("missing.npy");
        Fails(path, [Float("x", N)], ErrorCodes.DataNotFound, path, "does not exist");
        Fails("relative/missing", [Float("x", N)], ErrorCodes.DataNotFound, "relative/missing", "does not exist");
    }

    [TestMethod]
    public void A_folder_without_data_files_is_AMCT3002_listing_the_formats()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("notes.txt"), "nothing to read");
        Directory.CreateDirectory(temp.File("sub"));
        NpyWriter.Write<float>(temp.File("sub/nested.npy"), [1], [1f]);
        Fails(temp.Path, [Float("x", N)], ErrorCodes.DataFolderEmpty, temp.Path,
            "holds no data files", "test_data_set_N/input_K.pb", ".npy", ".npz");
    }

    [TestMethod]
    public void A_file_no_format_reads_is_AMCT3003()
    {
        using var temp = new TempFolder();
        var path = temp.File("data.csv");
        File.WriteAllText(path, "1,2\n");
        Fails(path, [Float("x", N)], ErrorCodes.DataFormatUnknown, path, "no data format reads", ".npy file");
    }

    [TestMethod]
    public void Opening_checks_everything_before_any_sample_is_read()
    {
        using var temp = new TempFolder();
        NpyWriter.Write<float>(temp.File("a.npy"), [2, 1], [1, 2]);
        var bad = temp.File("b.npy");
        NpyWriter.Write<float>(bad, [2, 7], new float[14]);
        // Open alone fails; no Read() needed.
        Throws(() => SampleSources.Open(temp.Path, [Float("a", N, 1), Float("b", N, 1)]), ErrorCodes.DataShapeMismatch, bad);
    }

    [TestMethod]
    public void Reading_again_starts_from_the_first_sample_and_gives_the_same_bytes()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npz");
        NpyWriter.WriteNpz(path, true, ("x", NpyWriter.Bytes<float>([3, 2], [1, 2, 3, 4, 5, 6])));
        using var source = SampleSources.Open(path, [Float("x", N, 2)]);
        var first = source.Read().Select(s => s.Inputs["x"].RawData.ToBase64()).ToList();
        var second = source.Read().Select(s => s.Inputs["x"].RawData.ToBase64()).ToList();
        CollectionAssert.AreEqual(first, second);
        Assert.AreEqual(path, source.Description);
    }

    [TestMethod]
    public void The_registry_picks_the_format_for_each_kind_of_path()
    {
        using var temp = new TempFolder();
        NpyWriter.Write<float>(temp.File("x.npy"), [1], [1f]);
        var testData = temp.File("tests");
        TestDataFolderTests.WriteTensor(Path.Combine(testData, "test_data_set_0", "input_0.pb"), TensorData.FromArray<float>("x", [1], [1f]));
        NpyWriter.Write<float>(Path.Combine(testData, "x.npy"), [1], [1f]);
        Assert.StartsWith("folder of ONNX test data", SampleSources.Formats.First(f => f.CanRead(testData)).Description);
        Assert.StartsWith(".npy file", SampleSources.Formats.First(f => f.CanRead(temp.File("x.npy"))).Description);
        Assert.StartsWith("folder of .npy", SampleSources.Formats.First(f => f.CanRead(temp.Path)).Description);
    }
}
