using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using Google.Protobuf;
using static Amct.Engine.Tests.Data.DataAssert;

namespace Amct.Engine.Tests.Data;

/// <summary>ONNX test data folders: test_data_set_N/input_K.pb, matched by name or position, split into rows.</summary>
[TestClass]
public sealed class TestDataFolderTests
{
    [TestMethod]
    public void Data_sets_come_in_numeric_order_and_split_into_rows()
    {
        using var temp = new TempFolder();
        foreach (var n in new[] { 10, 2, 1 })
        {
            // Data set n holds two rows: n and n + 0.5.
            WriteTensor(temp.File($"test_data_set_{n}/input_0.pb"), TensorData.FromArray<float>("x", [2, 1], [n, n + 0.5f]));
        }
        var samples = ReadAll(temp.Path, Float("x", N, 1));
        CollectionAssert.AreEqual(new[] { 1, 1.5f, 2, 2.5f, 10, 10.5f }, samples.Select(s => Floats(s, "x").Single()).ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4, 5 }, samples.Select(s => s.Index).ToArray());
        Assert.AreEqual("test_data_set_2[1]", samples[3].Name);
    }

    [TestMethod]
    public void A_single_data_set_folder_is_read_itself()
    {
        using var temp = new TempFolder();
        WriteTensor(temp.File("input_0.pb"), TensorData.FromArray<float>("x", [1, 2], [1, 2]));
        var sample = ReadAll(temp.Path, Float("x", 1, 2)).Single();
        CollectionAssert.AreEqual(new float[] { 1, 2 }, Floats(sample, "x"));
        CollectionAssert.AreEqual(new long[] { 2 }, Dims(sample, "x"));
        Assert.AreEqual(Path.GetFileName(temp.Path), sample.Name);
    }

    [TestMethod]
    public void Typed_fields_are_read_like_raw_data()
    {
        using var temp = new TempFolder();
        var tensor = new TensorProto { Name = "x", DataType = DataTypes.Float, Dims = { 2, 2 }, FloatData = { 1, 2, 3, 4 } };
        WriteTensor(temp.File("test_data_set_0/input_0.pb"), tensor);
        var ids = new TensorProto { Name = "ids", DataType = DataTypes.Int64, Dims = { 2 }, Int64Data = { 7, 8 } };
        WriteTensor(temp.File("test_data_set_0/input_1.pb"), ids);
        var samples = ReadAll(temp.Path, Float("x", N, 2), Input("ids", DataTypes.Int64, N));
        CollectionAssert.AreEqual(new float[] { 3, 4 }, Floats(samples[1], "x"));
        Assert.AreEqual(8L, TensorData.ToArray<long>(samples[1].Inputs["ids"]).Single());
        Assert.IsTrue(samples[1].Inputs["x"].HasRawData);
    }

    [TestMethod]
    public void Files_match_inputs_by_tensor_name_before_position()
    {
        using var temp = new TempFolder();
        // input_0 holds 'b' and input_1 holds 'a': names win over positions.
        WriteTensor(temp.File("test_data_set_0/input_0.pb"), TensorData.FromArray<float>("b", [1, 1], [2f]));
        WriteTensor(temp.File("test_data_set_0/input_1.pb"), TensorData.FromArray<float>("a", [1, 1], [1f]));
        // Unnamed tensors (or names the model does not have) go by position.
        WriteTensor(temp.File("test_data_set_1/input_0.pb"), TensorData.FromArray<float>("", [1, 1], [3f]));
        WriteTensor(temp.File("test_data_set_1/input_1.pb"), TensorData.FromArray<float>("other", [1, 1], [4f]));
        var samples = ReadAll(temp.Path, Float("a", N, 1), Float("b", N, 1));
        CollectionAssert.AreEqual(new float[] { 1, 2 }, new[] { Floats(samples[0], "a")[0], Floats(samples[0], "b")[0] });
        CollectionAssert.AreEqual(new float[] { 3, 4 }, new[] { Floats(samples[1], "a")[0], Floats(samples[1], "b")[0] });
    }

    [TestMethod]
    public void Output_files_and_other_files_are_ignored()
    {
        using var temp = new TempFolder();
        WriteTensor(temp.File("test_data_set_0/input_0.pb"), TensorData.FromArray<float>("x", [1, 1], [1f]));
        WriteTensor(temp.File("test_data_set_0/output_0.pb"), TensorData.FromArray<float>("y", [1, 3], [1f, 2f, 3f]));
        File.WriteAllText(temp.File("test_data_set_0/notes.txt"), "hello");
        File.WriteAllText(temp.File("model.onnx"), "not read");
        Assert.HasCount(1, ReadAll(temp.Path, Float("x", N, 1)));
    }

    [TestMethod]
    public void A_file_beyond_the_inputs_is_AMCT3004()
    {
        using var temp = new TempFolder();
        WriteTensor(temp.File("test_data_set_0/input_0.pb"), TensorData.FromArray<float>("x", [1, 1], [1f]));
        var extra = temp.File("test_data_set_0/input_1.pb");
        WriteTensor(extra, TensorData.FromArray<float>("mask", [1, 1], [1f]));
        Fails(temp.Path, [Float("x", N, 1)], ErrorCodes.DataUnknownInput, extra,
            "'test_data_set_0/input_1.pb' holds data for 'mask'", "'x' float32 [?,1]");
    }

    [TestMethod]
    public void Two_files_for_one_input_are_AMCT3006()
    {
        using var temp = new TempFolder();
        WriteTensor(temp.File("test_data_set_0/input_0.pb"), TensorData.FromArray<float>("x", [1, 1], [1f]));
        var second = temp.File("test_data_set_0/input_1.pb");
        WriteTensor(second, TensorData.FromArray<float>("x", [1, 1], [1f]));
        Fails(temp.Path, [Float("x", N, 1), Float("y", N, 1)], ErrorCodes.DataDuplicateInput, second,
            "input 'x'", "'test_data_set_0/input_0.pb'", "'test_data_set_0/input_1.pb'");
    }

    [TestMethod]
    public void A_data_set_without_every_input_is_AMCT3005()
    {
        using var temp = new TempFolder();
        WriteTensor(temp.File("test_data_set_0/input_0.pb"), TensorData.FromArray<float>("a", [1, 1], [1f]));
        WriteTensor(temp.File("test_data_set_0/input_1.pb"), TensorData.FromArray<float>("b", [1, 1], [1f]));
        WriteTensor(temp.File("test_data_set_1/input_0.pb"), TensorData.FromArray<float>("a", [1, 1], [1f]));
        Fails(temp.Path, [Float("a", N, 1), Float("b", N, 1)], ErrorCodes.DataMissingInput, temp.File("test_data_set_1"),
            "no data for input 'b'");
        Directory.CreateDirectory(temp.File("test_data_set_5"));
        Fails(temp.Path, [Float("a", N, 1), Float("b", N, 1)], ErrorCodes.DataMissingInput, temp.File("test_data_set_1"));
    }

    [TestMethod]
    public void Different_row_counts_within_a_data_set_are_AMCT3009()
    {
        using var temp = new TempFolder();
        WriteTensor(temp.File("test_data_set_0/input_0.pb"), TensorData.FromArray<float>("a", [2, 1], [1f, 2f]));
        WriteTensor(temp.File("test_data_set_0/input_1.pb"), TensorData.FromArray<float>("b", [1, 1], [1f]));
        Fails(temp.Path, [Float("a", N, 1), Float("b", N, 1)], ErrorCodes.DataSampleCountMismatch, temp.File("test_data_set_0"),
            "'a' 2", "'b' 1");
    }

    [TestMethod]
    public void A_file_that_is_not_a_tensor_is_AMCT3010()
    {
        using var temp = new TempFolder();
        var path = temp.File("test_data_set_0/input_0.pb");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0xFF]);
        Fails(temp.Path, [Float("x", N, 1)], ErrorCodes.DataCorrupt, path, "'test_data_set_0/input_0.pb' is damaged");
        File.WriteAllBytes(path, []);
        Fails(temp.Path, [Float("x", N, 1)], ErrorCodes.DataCorrupt, path, "no element type");
    }

    [TestMethod]
    public void A_tensor_whose_data_does_not_match_its_dims_is_AMCT3010()
    {
        using var temp = new TempFolder();
        var path = temp.File("test_data_set_0/input_0.pb");
        WriteTensor(path, new TensorProto { Name = "x", DataType = DataTypes.Float, Dims = { 3, 2 }, FloatData = { 1, 2 } });
        Fails(temp.Path, [Float("x", N, 2)], ErrorCodes.DataCorrupt, path, "dims [3,2]");
    }

    [TestMethod]
    public void A_string_tensor_is_AMCT3011()
    {
        using var temp = new TempFolder();
        var path = temp.File("test_data_set_0/input_0.pb");
        WriteTensor(path, TensorData.FromStrings("x", [1], ["hello"]));
        Fails(temp.Path, [Float("x", N)], ErrorCodes.DataTypeUnsupported, path, "string");
    }

    [TestMethod]
    public void A_tensor_of_another_type_is_AMCT3008()
    {
        using var temp = new TempFolder();
        var path = temp.File("test_data_set_0/input_0.pb");
        WriteTensor(path, TensorData.FromArray<double>("x", [1, 2], [1, 2]));
        Fails(temp.Path, [Float("x", N, 2)], ErrorCodes.DataTypeMismatch, path, "takes float32", "holds float64", "astype(numpy.float32)");
    }

    [TestMethod]
    public void Iris_test_data_reads_150_rows_of_4()
    {
        var inputs = ModelInput.Of(ModelLoader.Load(TestData.PathOf("iris-mlp/iris_mlp.onnx")));
        var path = TestData.PathOf("iris-mlp/test_data_set_0");
        using var source = SampleSources.Open(path, inputs);
        Assert.AreEqual(150, source.Count);
        var samples = source.Read().ToList();
        Assert.HasCount(150, samples);
        var input = inputs.Single().Name;
        CollectionAssert.AreEqual(new long[] { 4 }, Dims(samples[0], input));
        // The first row of Fisher's iris data: 5.1, 3.5, 1.4, 0.2 cm.
        CollectionAssert.AreEqual(new[] { 5.1f, 3.5f, 1.4f, 0.2f }, Floats(samples[0], input));
        Assert.AreEqual("test_data_set_0[149]", samples[149].Name);
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Squeezenet_test_data_reads_one_image()
    {
        var inputs = ModelInput.Of(ModelLoader.Load(SharedData.PathOf("squeezenet/squeezenet1.1.onnx")));
        var sample = ReadAll(SharedData.PathOf("squeezenet/test_data_set_0"), [.. inputs]).Single();
        Assert.AreEqual("data_0", inputs.Single().Name);
        CollectionAssert.AreEqual(new long[] { 3, 224, 224 }, Dims(sample, "data_0"));
        Assert.AreEqual("test_data_set_0", sample.Name);
        var pixels = Floats(sample, "data_0");
        Assert.HasCount(3 * 224 * 224, pixels);
        Assert.IsTrue(pixels.All(p => p is >= 0 and <= 255), "raw 0..255 BGR values");
    }

    internal static void WriteTensor(string path, TensorProto tensor)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, tensor.ToByteArray());
    }
}
