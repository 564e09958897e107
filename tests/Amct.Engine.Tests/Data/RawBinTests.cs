using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data;

/// <summary>AMCT's raw .bin data: one array of a declared shape and type per file, files in name order.</summary>
[TestClass]
public sealed class RawBinTests
{
    private static void WriteFloats(string path, params float[] values) =>
        File.WriteAllBytes(path, System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private static SampleSourceOptions Declared(string shapes, string types) =>
        SampleSourceOptionsText.Parse(inputShapes: shapes, dataTypes: types);

    [TestMethod]
    public void A_folder_of_bin_files_is_read_in_name_order_each_file_a_batch()
    {
        using var temp = new TempFolder();
        WriteFloats(temp.File("b.bin"), 7, 8, 9, 10, 11, 12);
        WriteFloats(temp.File("a.bin"), 1, 2, 3, 4, 5, 6);
        File.WriteAllText(temp.File("notes.txt"), "ignored");
        var input = DataAssert.Float("x", null, 3);
        using var source = SampleSources.Open(temp.Path, [input], Declared("x:2,3", "x:float32"));
        var samples = source.Read().ToList();
        Assert.HasCount(4, samples);
        CollectionAssert.AreEqual(new[] { "a.bin[0]", "a.bin[1]", "b.bin[0]", "b.bin[1]" }, samples.Select(s => s.Name).ToArray());
        CollectionAssert.AreEqual(new float[] { 4, 5, 6 }, DataAssert.Floats(samples[1], "x"));
        CollectionAssert.AreEqual(new float[] { 7, 8, 9 }, DataAssert.Floats(samples[2], "x"));
        CollectionAssert.AreEqual(new long[] { 3 }, DataAssert.Dims(samples[2], "x"));
    }

    [TestMethod]
    public void The_amct_style_full_input_shape_feeds_a_fixed_batch_of_1()
    {
        using var temp = new TempFolder();
        WriteFloats(temp.File("0.bin"), 1, 2, 3, 4);
        WriteFloats(temp.File("1.bin"), 5, 6, 7, 8);
        var input = DataAssert.Float("data", 1, 2, 2);
        using var source = SampleSources.Open(temp.File("*.bin"), [input], Declared("data:1,2,2", "float32"));
        var batches = SampleBatches.Read(source, [input], 1).ToList();
        Assert.HasCount(2, batches);
        CollectionAssert.AreEqual(new long[] { 1, 2, 2 }, batches[1].Inputs["data"].Dims.ToArray());
        CollectionAssert.AreEqual(new float[] { 5, 6, 7, 8 }, TensorData.ToArray<float>(batches[1].Inputs["data"]));
    }

    [TestMethod]
    public void A_missing_shape_or_type_is_AMCT3032_or_AMCT3033()
    {
        using var temp = new TempFolder();
        var file = temp.File("0.bin");
        WriteFloats(file, 1, 2, 3);
        var input = DataAssert.Float("x", 1, 3);
        DataAssert.Throws(() => SampleSources.Open(file, [input]), ErrorCodes.RawShapeMissing, file,
            "their shape must be declared", "--input-shape \"x:1,3\"");
        DataAssert.Throws(() => SampleSources.Open(file, [input], new SampleSourceOptions
        {
            InputShapes = new Dictionary<string, IReadOnlyList<long>> { ["x"] = [1, 3] },
        }), ErrorCodes.RawTypeMissing, file, "--data-type \"x:float32\"");
    }

    [TestMethod]
    public void A_file_whose_length_does_not_fit_the_declaration_is_AMCT3034()
    {
        using var temp = new TempFolder();
        WriteFloats(temp.File("0.bin"), 1, 2, 3);
        var wrong = temp.File("1.bin");
        File.WriteAllBytes(wrong, new byte[24]); // 3 float64 values where 3 float32 are declared
        DataAssert.Throws(() => SampleSources.Open(temp.Path, [DataAssert.Float("x", 1, 3)], Declared("x:1,3", "x:float32")),
            ErrorCodes.RawSizeMismatch, wrong,
            "the file holds 24 bytes, but the declared shape [1,3] of float32 takes 12 (3 values of float32); the length would fit float64 or int64 values of that shape");
    }

    [TestMethod]
    public void A_declared_type_the_input_does_not_take_is_AMCT3008()
    {
        using var temp = new TempFolder();
        var file = temp.File("0.bin");
        File.WriteAllBytes(file, new byte[24]);
        DataAssert.Throws(() => SampleSources.Open(file, [DataAssert.Float("x", 1, 3)], Declared("x:1,3", "x:int64")),
            ErrorCodes.DataTypeMismatch, file, "takes float32", "holds int64");
    }

    [TestMethod]
    public void Declarations_for_no_input_and_bad_syntax_are_AMCT3035()
    {
        using var temp = new TempFolder();
        var file = temp.File("0.bin");
        WriteFloats(file, 1, 2, 3);
        DataAssert.Throws(() => SampleSources.Open(file, [DataAssert.Float("x", 1, 3)], Declared("y:1,3", "float32")),
            ErrorCodes.RawDeclarationInvalid, file, "declared for 'y', but the model has no input of that name");
        DataAssert.Throws(() => SampleSources.Open(file, [DataAssert.Float("x", 1, 3)], new SampleSourceOptions
        {
            InputShapes = new Dictionary<string, IReadOnlyList<long>> { ["x"] = [long.MaxValue, 4] },
            InputTypes = new Dictionary<string, int> { ["x"] = DataTypes.Float },
        }), ErrorCodes.RawDeclarationInvalid, file, "which no file can hold");
        static void Fails(Action parse, string part)
        {
            var error = Assert.ThrowsExactly<AmctException>(parse);
            Assert.AreEqual(ErrorCodes.RawDeclarationInvalid, error.Code);
            StringAssert.Contains(error.Message, part);
        }
        Fails(() => Declared("x:1,a", "float32"), "'x' has the dimension 'a'");
        Fails(() => Declared("x1,3", "float32"), "'x1,3' is not name:value");
        Fails(() => Declared("x:1,3;x:1,4", "float32"), "declares input 'x' twice");
        Fails(() => Declared("x:1,3", "x:float33"), "'float33' is not an element type");
        Fails(() => Declared("", "float32"), "declares none to apply it to");
    }

    [TestMethod]
    public void Bin_data_for_a_model_with_several_inputs_needs_input_names()
    {
        using var temp = new TempFolder();
        WriteFloats(temp.File("0.bin"), 1, 2, 3);
        DataAssert.Throws(() => SampleSources.Open(temp.Path, [DataAssert.Float("x", 1, 3), DataAssert.Float("y", 1, 3)],
            Declared("x:1,3;y:1,3", "float32")), ErrorCodes.DataNeedsInputNames, temp.Path, ".bin data feeds one input");
    }
}
