using System.Buffers.Binary;
using System.Globalization;
using Amct.Engine.Data;
using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Reliability;

/// <summary>
/// Issue 11, classes 2–4 on the engine side: external data references that lie, files that are not regular files,
/// models with nothing to feed, labels out of range and zips that claim more than they hold. Each is a coded error,
/// and nothing blocks.
/// </summary>
[TestClass]
public sealed class HostileFileTests
{
    private static readonly float[] Weights = Enumerable.Range(0, 12).Select(i => i * 0.5f).ToArray();

    [TestMethod]
    public void An_external_data_key_given_twice_is_AMCT2011()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), FloatBytes(Weights));
        var path = ModelPointingAt(temp, ("location", "w.bin"), ("location", "other.bin"));
        AssertFails(() => ModelLoader.Load(path), ErrorCodes.ExternalDataMalformed, "\"location\" more than once");
    }

    [TestMethod]
    public void Offsets_that_overflow_the_bounds_check_are_AMCT2010()
    {
        using var temp = new TempFolder();
        File.WriteAllBytes(temp.File("w.bin"), FloatBytes(Weights));
        var huge = ModelPointingAt(temp, ("location", "w.bin"), ("offset", long.MaxValue.ToString(CultureInfo.InvariantCulture)));
        AssertFails(() => ModelLoader.Load(huge), ErrorCodes.ExternalDataOutOfRange, "only 48 bytes long");
        var sum = ModelPointingAt(temp, ("location", "w.bin"), ("offset", (long.MaxValue - 20).ToString(CultureInfo.InvariantCulture)), ("length", "48"));
        AssertFails(() => ModelLoader.Load(sum), ErrorCodes.ExternalDataOutOfRange, "only 48 bytes long");
    }

    [TestMethod]
    public void A_symbolic_link_loop_in_the_model_folder_is_AMCT2011()
    {
        using var temp = new TempFolder();
        File.CreateSymbolicLink(temp.File("a.bin"), "b.bin");
        File.CreateSymbolicLink(temp.File("b.bin"), "a.bin");
        var path = ModelPointingAt(temp, ("location", "a.bin"));
        AssertFails(() => ModelLoader.Load(path), ErrorCodes.ExternalDataMalformed, "cannot be followed");
    }

    [TestMethod]
    public void A_FIFO_is_refused_before_it_is_opened_wherever_a_file_is_read()
    {
        using var temp = new TempFolder();
        var fifo = temp.File("pipe");
        SpecialFiles.CreateFifo(fifo);
        foreach (var name in new[] { "x.npy", "x.npz", "labels.npy", "w.bin", "m.onnx", "config.json", "record.txt" })
        {
            File.CreateSymbolicLink(temp.File(name), fifo);
        }
        var model = temp.File("gemm.onnx");
        ModelBuilder.Write(ModelBuilder.Gemm(), model);
        var inputs = ModelInput.Of(ModelBuilder.Gemm());
        NpyWriter.Write(temp.File("ok.npy"), [2, 4], new float[8]);
        using var source = SampleSources.Open(temp.File("ok.npy"), inputs);

        // Each would block forever in open() if the file were opened: run them on a worker with a deadline.
        var cases = new (string What, Action Read)[]
        {
            ("model", () => ModelLoader.Load(temp.File("m.onnx"))),
            ("external data", () => ModelLoader.Load(ModelPointingAt(temp, ("location", "w.bin")))),
            (".npy data", () => SampleSources.Open(temp.File("x.npy"), inputs).Dispose()),
            (".npz data", () => SampleSources.Open(temp.File("x.npz"), inputs).Dispose()),
            (".npy labels", () => Labels.Read(temp.File("labels.npy"), source)),
            ("config", () => QuantConfigReader.Read(temp.File("config.json"))),
            ("record", () => RecordReader.Read(temp.File("record.txt"))),
        };
        foreach (var (what, read) in cases)
        {
            var task = Task.Run(() => Assert.ThrowsExactly<AmctException>(read));
            Assert.IsTrue(task.Wait(TimeSpan.FromSeconds(30)), $"reading a FIFO as the {what} blocked");
            Assert.AreEqual(ErrorCodes.InputNotRegularFile, task.Result.Code, $"{what}: {task.Result.Message}");
            StringAssert.Contains(task.Result.Message, "named pipe", what);
        }
    }

    [TestMethod]
    public void A_model_whose_every_input_is_an_initializer_has_nothing_to_quantize()
    {
        using var temp = new TempFolder();
        // IR 3 style: the only graph input is also an initializer, so it is a constant and the Gemm computes one.
        var model = ModelBuilder.Gemm();
        model.Graph.Initializer.Add(TensorData.FromArray<float>("X", [1, 4], [1f, 2f, 3f, 4f]));
        var path = temp.File("constant.onnx");
        ModelBuilder.Write(model, path);
        NpyWriter.Write(temp.File("X.npy"), [2, 4], new float[8]);
        var log = new CollectingLog();

        var result = QuantizationJob.Run(
            new QuantizeRequest { ModelPath = path, CalibrationData = temp.File("X.npy"), OutputDirectory = temp.File("out") }, log);

        Assert.AreEqual(ErrorCodes.NothingToQuantize, log.Warnings.Single().Code);
        Assert.AreEqual("its input is a constant", result.Report.Skipped.Single().Reason);
        CollectionAssert.AreEqual(File.ReadAllBytes(path), File.ReadAllBytes(result.QuantizedModel));
    }

    [TestMethod]
    public void Data_for_a_model_with_no_inputs_is_AMCT3055()
    {
        using var temp = new TempFolder();
        NpyWriter.Write(temp.File("X.npy"), [2, 4], new float[8]);
        AssertFails(() => SampleSources.Open(temp.File("X.npy"), []).Dispose(), ErrorCodes.ModelHasNoInputs, "no input to feed");
    }

    [TestMethod]
    public void Labels_beyond_an_int_or_the_output_classes_are_AMCT3017()
    {
        using var temp = new TempFolder();
        NpyWriter.Write(temp.File("labels.npy"), [2], [0L, 1L << 31]);
        AssertFails(() => Labels.Read(temp.File("labels.npy"), [null, null]), ErrorCodes.LabelsInvalid, "2147483648");

        var accuracy = new Amct.Engine.Evaluation.TopKAccuracy("m.onnx");
        var error = AssertFails(() => accuracy.Add([0.1f, 0.9f, 0.3f], 1, [3L]), ErrorCodes.LabelsInvalid, "3 classes");
        Assert.AreEqual("m.onnx", error.Target);
    }

    [TestMethod]
    public void An_npz_entry_claiming_more_than_it_can_inflate_to_is_AMCT3010()
    {
        using var temp = new TempFolder();
        var path = temp.File("bomb.npz");
        NpyWriter.WriteNpz(path, compressed: true, ("X", NpyWriter.Bytes<float>([2, 4], new float[8])));
        // Claim 2 GB uncompressed in the central directory, where zip readers take the size from.
        var bytes = File.ReadAllBytes(path);
        var central = IndexOf(bytes, [0x50, 0x4B, 0x01, 0x02]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), 2_000_000_000u);
        File.WriteAllBytes(path, bytes);

        AssertFails(() => SampleSources.Open(path, ModelInput.Of(ModelBuilder.Gemm())).Dispose(),
            ErrorCodes.DataCorrupt, "more than zip compression can produce");
    }

    private static AmctException AssertFails(Action action, string code, string text)
    {
        var error = Assert.ThrowsExactly<AmctException>(action);
        Assert.AreEqual(code, error.Code, error.Message);
        StringAssert.Contains(error.Message, text);
        return error;
    }

    private static int IndexOf(byte[] bytes, byte[] pattern)
    {
        for (var i = 0; i <= bytes.Length - pattern.Length; i++)
        {
            if (bytes.AsSpan(i, pattern.Length).SequenceEqual(pattern))
            {
                return i;
            }
        }
        throw new InvalidOperationException("pattern not found");
    }

    private static string ModelPointingAt(TempFolder temp, params (string Key, string Value)[] entries)
    {
        var path = temp.File($"m{Guid.NewGuid():N}.onnx");
        ModelBuilder.Write(HostileModels.WithExternalWeights(entries), path);
        return path;
    }

    private static byte[] FloatBytes(float[] values) => TensorData.FromArray<float>("x", [values.Length], values).RawData.ToByteArray();
}
