using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>Issue 3's bad inputs: each gives a coded error or warning, valid factors, and nothing half-written.</summary>
[TestClass]
public sealed class QuantizationBadInputTests
{
    private static QuantizeRequest Request(TempFolder temp, string model, string data) => new()
    {
        ModelPath = model,
        CalibrationData = data,
        OutputDirectory = temp.File("out"),
        MeasureLatency = false, // its warning depends on timing; these tests count warnings
        QualityFloor = false, // the tiny models here grow when quantized (AMCT4013); these tests are about their data
    };

    [TestMethod]
    public void A_model_without_quantizable_layers_is_written_unchanged_with_a_warning()
    {
        using var temp = new TempFolder();
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 1, 4).Output("y", DataTypes.Float, 1, 4)
            .Node("Relu", ["x"], ["y"], "relu")
            .Build();
        var path = temp.File("relu.onnx");
        ModelBuilder.Write(model, path);
        NpyWriter.Write(temp.File("x.npy"), [3, 4], new float[12]);
        var log = new CollectingLog();

        var result = QuantizationJob.Run(Request(temp, path, temp.File("x.npy")), log);

        Assert.AreEqual(ErrorCodes.NothingToQuantize, log.Warnings.Single().Code);
        CollectionAssert.AreEqual(File.ReadAllBytes(path), File.ReadAllBytes(result.QuantizedModel));
        Assert.IsEmpty(result.Report.Layers);
    }

    [TestMethod]
    public void NaN_in_calibration_data_is_an_error_with_counts_and_sample_index()
    {
        using var temp = new TempFolder();
        var path = GemmModel(temp);
        var values = new float[5 * 4];
        values[2 * 4 + 1] = float.NaN;
        values[3 * 4] = float.PositiveInfinity;
        NpyWriter.Write(temp.File("X.npy"), [5, 4], values);

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp, path, temp.File("X.npy")), new CollectingLog()));
        Assert.AreEqual("AMCT3013", error.Code);
        StringAssert.Contains(error.Message, "sample 2");
        Assert.IsFalse(Directory.Exists(temp.File("out")) && Directory.EnumerateFiles(temp.File("out")).Any(), "nothing is written");
    }

    [TestMethod]
    public void All_zero_activations_and_a_zero_weight_channel_get_valid_factors()
    {
        using var temp = new TempFolder();
        var weights = new float[3 * 4];
        weights[4] = 1f; // channel 0 all zero, channel 1 has one weight, channel 2 all zero
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 4).Output("Y", DataTypes.Float, 1, 3)
            .Initializer("W", [3, 4], weights)
            .Initializer("B", [3], [0f, 0f, 0f])
            .Node("Gemm", ["X", "W", "B"], ["Y"], "fc", ModelBuilder.IntAttribute("transB", 1))
            .Build();
        var path = temp.File("zero.onnx");
        ModelBuilder.Write(model, path);
        NpyWriter.Write(temp.File("X.npy"), [8, 4], new float[32]);

        var result = QuantizationJob.Run(Request(temp, path, temp.File("X.npy")), new CollectingLog());

        var layer = result.Report.Layers.Single();
        Assert.AreEqual(2, layer.ZeroChannels);
        Assert.IsTrue(layer.ScaleD is { } scale && float.IsFinite(scale) && scale > 0);
        Assert.IsTrue(result.Report.Tensors.All(t => float.IsFinite(t.Scale) && t.Scale > 0));
        // The int8 model runs and gives zeros for zero input.
        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(result.QuantizedModel);
        using var input = OrtTensors.ToOrtValue(TensorData.FromArray<float>("X", [1, 4], new float[4]));
        using var outputs = session.Run(new Microsoft.ML.OnnxRuntime.RunOptions(), ["X"], [input], ["Y"]);
        CollectionAssert.AreEqual(new float[3], outputs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    [TestMethod]
    public void Bias_overflow_names_the_layer_and_suggests_skipping_it()
    {
        using var temp = new TempFolder();
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 2).Output("Y", DataTypes.Float, 1, 1)
            .Initializer("W", [1, 2], [1e-6f, 1e-6f])
            .Initializer("B", [1], [1e9f])
            .Node("Gemm", ["X", "W", "B"], ["Y"], "huge_bias", ModelBuilder.IntAttribute("transB", 1))
            .Build();
        var path = temp.File("bias.onnx");
        ModelBuilder.Write(model, path);
        NpyWriter.Write(temp.File("X.npy"), [4, 2], [0f, 1e-3f, 1e-3f, 0f, 1e-3f, 1e-3f, 0f, 0f]);

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp, path, temp.File("X.npy")), new CollectingLog()));
        Assert.AreEqual(ErrorCodes.BiasOverflow, error.Code);
        StringAssert.Contains(error.Message, "huge_bias");
        StringAssert.Contains(error.Message, "--skip-layers huge_bias");
        Assert.IsFalse(Directory.Exists(temp.File("out")) && Directory.EnumerateFiles(temp.File("out")).Any(), "nothing is written");

        var skipped = QuantizationJob.Run(Request(temp, path, temp.File("X.npy")) with { SkipLayers = ["huge_bias"] }, new CollectingLog());
        Assert.AreEqual("huge_bias", skipped.Report.Skipped.Single().Name);
    }

    [TestMethod]
    public void Asking_for_more_samples_than_the_data_holds_warns_and_uses_them_all()
    {
        using var temp = new TempFolder();
        var path = GemmModel(temp);
        NpyWriter.Write(temp.File("X.npy"), [5, 4], Enumerable.Range(0, 20).Select(i => i * 0.1f).ToArray());
        var log = new CollectingLog();
        var result = QuantizationJob.Run(Request(temp, path, temp.File("X.npy")) with { SampleCount = 1000 }, log);
        Assert.AreEqual(ErrorCodes.TooFewSamples, log.Warnings.Single().Code);
        StringAssert.Contains(log.Warnings.Single().Message, "1000");
        Assert.AreEqual(5, result.Report.Calibration.Samples);
    }

    [TestMethod]
    public void An_unreadable_data_file_is_a_coded_error_naming_it()
    {
        using var temp = new TempFolder();
        var path = GemmModel(temp);
        File.WriteAllBytes(temp.File("X.npy"), [0x93, (byte)'N', (byte)'U', 1, 2, 3]);
        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp, path, temp.File("X.npy")), new CollectingLog()));
        StringAssert.StartsWith(error.Code, "AMCT30");
        Assert.AreEqual(temp.File("X.npy"), error.Target);
    }

    [TestMethod]
    public void An_unknown_method_lists_the_valid_ones()
    {
        using var temp = new TempFolder();
        var path = GemmModel(temp);
        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp, path, "x") with { Method = "kl" }, new CollectingLog()));
        Assert.AreEqual(ErrorCodes.BadSettingValue, error.Code);
        StringAssert.Contains(error.Message, "ifmr");
    }

    private static string GemmModel(TempFolder temp)
    {
        var path = temp.File("gemm.onnx");
        File.WriteAllBytes(path, ModelBuilder.Gemm().ToByteArray());
        return path;
    }
}
