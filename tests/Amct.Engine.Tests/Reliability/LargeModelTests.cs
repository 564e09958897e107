using System.Diagnostics;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Engine.Tests.Reliability;

/// <summary>
/// Issue 10, item 6: a float model over protobuf's 2 GB limit calibrates and evaluates — every ONNX Runtime session
/// on it is created from a file with external data, not from bytes. Opt-in (it writes and reads several GB):
/// <c>dotnet test tests/Amct.Engine.Tests --filter "TestCategory=Large&amp;TestCategory=OptIn"</c>.
/// </summary>
[TestClass]
public sealed class LargeModelTests
{
    private const int Inputs = 16384;
    private const int Hidden = 17000;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.Large)]
    public void A_model_over_2_GB_is_calibrated_evaluated_and_quantized()
    {
        var watch = Stopwatch.StartNew();
        using var temp = new TempFolder();
        var sessionFoldersBefore = SessionFolders();
        var path = temp.File("big.onnx");
        SaveLargeModel(path);
        Assert.IsGreaterThan(int.MaxValue, new FileInfo(path + ".data").Length, "the float model is over 2 GB");
        NpyWriter.Write(temp.File("x.npy"), [4, Inputs], Enumerable.Range(0, 4 * Inputs).Select(i => (i % 97) / 97f).ToArray());
        var built = watch.Elapsed;

        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = path,
            CalibrationData = temp.File("x.npy"),
            OutputDirectory = temp.File("out"),
        }, new CollectingLog());

        TestContext.WriteLine($"model built and saved in {built.TotalSeconds:0} s, quantized in {(watch.Elapsed - built).TotalSeconds:0} s");
        Assert.HasCount(2, result.Report.Layers);
        Assert.AreEqual(4, result.Report.Calibration.Samples);
        var evaluation = result.Report.Evaluation!;
        Assert.IsGreaterThan(0.99, evaluation.Outputs.Single().CosineMean, "the int8 model computes what the float one does");
        Assert.IsLessThan(int.MaxValue / 2L, new FileInfo(result.QuantizedModel).Length, "int8 weights are a quarter");
        Assert.IsEmpty(SessionFolders().Except(sessionFoldersBefore), "temporary session folders are removed");
    }

    /// <summary>Two float MatMul weights of 1.1 GB each: 2.2 GB, past the 2 GB one protobuf message can hold.</summary>
    private static void SaveLargeModel(string path)
    {
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, Inputs)
            .Output("Y", DataTypes.Float, 1, Inputs)
            .Initializer(Weights("W1", Inputs, Hidden, seed: 1))
            .Initializer(Weights("W2", Hidden, Inputs, seed: 2))
            .Node("MatMul", ["X", "W1"], ["H"], "fc1")
            .Node("Relu", ["H"], ["R"], "relu")
            .Node("MatMul", ["R", "W2"], ["Y"], "fc2")
            .Build();
        // A dynamic batch dimension, so the calibration samples run together.
        model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam = "batch";
        model.Graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam = "batch";
        ModelSaver.Save(model, path);
    }

    /// <summary>Pseudo-random weights in [-1/64, 1/64), written straight into the tensor's bytes (no float[] copy).</summary>
    private static TensorProto Weights(string name, int rows, int columns, int seed)
    {
        var bytes = new byte[(long)rows * columns * sizeof(float)];
        var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
        var state = (uint)seed;
        for (var i = 0; i < values.Length; i++)
        {
            state = (state * 1664525) + 1013904223;
            values[i] = ((int)(state >> 24) - 128) * (1f / (128 * 64));
        }
        return new TensorProto
        {
            Name = name, DataType = DataTypes.Float, Dims = { rows, columns }, RawData = UnsafeByteOperations.UnsafeWrap(bytes),
        };
    }

    private static HashSet<string> SessionFolders() =>
        Directory.EnumerateDirectories(Path.GetTempPath(), "amct-session-*").ToHashSet(StringComparer.Ordinal);
}
