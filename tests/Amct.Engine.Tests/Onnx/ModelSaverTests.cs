using Amct.Engine.IO;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Engine.Tests.Onnx;

[TestClass]
public sealed class ModelSaverTests
{
    [TestMethod]
    public void Fields_this_schema_does_not_know_survive_load_and_save()
    {
        using var temp = new TempFolder();
        var bytes = ModelBuilder.Gemm().ToByteArray();
        // Append field 99 (varint 42) to the model and field 77 (bytes "future") to it as well: a newer ONNX's fields.
        var unknown = new byte[] { 0x98, 0x06, 42, 0xEA, 0x04, 6, (byte)'f', (byte)'u', (byte)'t', (byte)'u', (byte)'r', (byte)'e' };
        var path = temp.File("future.onnx");
        File.WriteAllBytes(path, [.. bytes, .. unknown]);

        var saved = temp.File("saved.onnx");
        ModelSaver.Save(ModelLoader.Load(path), saved);
        var savedBytes = File.ReadAllBytes(saved);
        CollectionAssert.AreEqual(unknown, savedBytes[^unknown.Length..]);
        CollectionAssert.AreEqual(File.ReadAllBytes(path), savedBytes);
    }

    [TestMethod]
    public void Unknown_fields_inside_nested_messages_survive()
    {
        using var temp = new TempFolder();
        var model = ModelBuilder.Gemm();
        var node = model.Graph.Node[0];
        // A NodeProto with an extra field 50 (varint 7), spliced in as a newer exporter would write it.
        var nodeWithUnknown = NodeProto.Parser.ParseFrom([.. node.ToByteArray(), 0x90, 0x03, 7]);
        model.Graph.Node[0] = nodeWithUnknown;
        var path = temp.File("m.onnx");
        ModelSaver.Save(model, path);
        var reloaded = ModelLoader.Load(path);
        Assert.AreEqual(model, reloaded);
        var reserialized = reloaded.Graph.Node[0].ToByteArray();
        CollectionAssert.AreEqual(new byte[] { 0x90, 0x03, 7 }, reserialized[^3..]);
    }

    [TestMethod]
    public void Saving_is_deterministic()
    {
        using var temp = new TempFolder();
        var model = ModelLoader.Load(TestData.DigitsModel);
        ModelSaver.Save(model, temp.File("a.onnx"));
        ModelSaver.Save(model, temp.File("b.onnx"));
        CollectionAssert.AreEqual(File.ReadAllBytes(temp.File("a.onnx")), File.ReadAllBytes(temp.File("b.onnx")));
        Assert.AreEqual(model, ModelLoader.Load(temp.File("a.onnx")));
    }

    [TestMethod]
    public void Always_external_writes_a_data_file_and_reloads_equal()
    {
        using var temp = new TempFolder();
        var model = ModelLoader.Load(TestData.DigitsModel);
        var path = temp.File("digits.onnx");
        ModelSaver.Save(model, path, new ModelSaveOptions { ExternalData = ExternalDataMode.Always });

        Assert.IsTrue(File.Exists(path + ".data"));
        Assert.IsLessThan(100_000L, new FileInfo(path).Length, "weights must live in the data file");
        var raw = ModelLoader.Parse(File.ReadAllBytes(path), path);
        Assert.IsTrue(raw.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External));
        Assert.AreEqual(model, ModelLoader.Load(path));
        Assert.IsFalse(model.Graph.Initializer.Any(t => t.DataLocation == TensorProto.Types.DataLocation.External),
            "saving must not change the caller's model");
        Assert.IsEmpty(Directory.GetFiles(temp.Path, "*.tmp"), "no temporary files are left behind");
    }

    [TestMethod]
    public void Auto_goes_external_only_when_the_model_would_not_fit_inline()
    {
        using var temp = new TempFolder();
        var model = ModelBuilder.Gemm(64, 64);
        var small = temp.File("small.onnx");
        ModelSaver.Save(model, small);
        Assert.IsFalse(File.Exists(small + ".data"));

        var tight = temp.File("tight.onnx");
        ModelSaver.Save(model, tight, new ModelSaveOptions { InlineLimitBytes = 4096 });
        Assert.IsTrue(File.Exists(tight + ".data"));
        Assert.AreEqual(model, ModelLoader.Load(tight));
    }

    [TestMethod]
    public void A_write_that_fails_midway_leaves_the_previous_file_untouched()
    {
        using var temp = new TempFolder();
        var path = temp.File("m.onnx");
        File.WriteAllText(path, "previous");
        Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[1000]);
            throw new InvalidOperationException("disk gone");
        }));
        Assert.AreEqual("previous", File.ReadAllText(path));
        Assert.HasCount(1, Directory.GetFiles(temp.Path), "no temporary file is left behind");
    }

    [TestMethod]
    public void Saving_where_no_file_can_be_written_is_AMCT5001()
    {
        using var temp = new TempFolder();
        var blocker = temp.File("not-a-folder");
        File.WriteAllText(blocker, "x");
        var path = Path.Combine(blocker, "m.onnx");
        var error = Assert.ThrowsExactly<AmctException>(() => ModelSaver.Save(ModelBuilder.Gemm(), path));
        Assert.AreEqual(ErrorCodes.WriteFailed, error.Code);
        Assert.AreEqual(path, error.Target);
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.Large)]
    public void A_model_over_2_GB_is_saved_with_external_data_and_loads_back()
    {
        using var temp = new TempFolder();
        // Three 768 MiB uint8 initializers: 2.25 GiB, past protobuf's 2 GB message limit.
        const int size = 768 << 20;
        var builder = new ModelBuilder().Input("X", DataTypes.UInt8, size).Output("Y", DataTypes.UInt8, size);
        for (var i = 0; i < 3; i++)
        {
            var data = new byte[size];
            data[0] = (byte)(i + 1);
            data[^1] = (byte)(i + 100);
            builder.Initializer(new TensorProto { Name = $"big{i}", DataType = DataTypes.UInt8, Dims = { size }, RawData = UnsafeByteOperations.UnsafeWrap(data) });
        }
        var model = builder.Node("Identity", ["X"], ["Y"]).Build();
        var path = temp.File("big.onnx");

        ModelSaver.Save(model, path);

        Assert.IsLessThan(1L << 20, new FileInfo(path).Length);
        Assert.IsGreaterThan(3L * size - 1, new FileInfo(path + ".data").Length);
        var reloaded = ModelLoader.Load(path);
        for (var i = 0; i < 3; i++)
        {
            var tensor = reloaded.Graph.Initializer[i];
            Assert.AreEqual(size, tensor.RawData.Length);
            Assert.AreEqual((byte)(i + 1), tensor.RawData[0]);
            Assert.AreEqual((byte)(i + 100), tensor.RawData[size - 1]);
        }
    }
}
