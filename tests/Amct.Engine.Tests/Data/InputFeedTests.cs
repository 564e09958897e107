using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Tests.Graph;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Engine.Tests.Data;

/// <summary>
/// Models whose inputs share no batch axis: a scalar sample-rate input and recurrent state beside the audio (as
/// Silero VAD has), or operator-test inputs fixing different first dimensions. Each sample is one whole run; inputs
/// given by InputValues and zero state are fed on every run.
/// </summary>
[TestClass]
public sealed class InputFeedTests
{
    /// <summary>
    /// A streaming model: <c>input</c> [batch,8] through a MatMul, scaled by the int64 scalar <c>sr</c> / 16000, and
    /// state <c>h</c> [2,batch,4] updated into <c>hn</c> (the batch axis named "batch" on both).
    /// </summary>
    private static ModelProto StreamingModel()
    {
        var model = new ModelBuilder()
            .Input("input", DataTypes.Float, 1, 8)
            .Input("sr", DataTypes.Int64)
            .Input("h", DataTypes.Float, 2, 1, 4)
            .Output("output", DataTypes.Float, 1, 4)
            .Output("hn", DataTypes.Float, 2, 1, 4)
            .Initializer("w", [8, 4], ModelBuilder.Pattern(32))
            .Initializer(TensorData.FromArray<float>("rate", [], [16000f]))
            .Initializer(TensorData.FromArray<long>("axes", [1], [0]))
            .Node("MatMul", ["input", "w"], ["m"], "matmul")
            .Node("Cast", ["sr"], ["srf"], "cast", ModelBuilder.IntAttribute("to", DataTypes.Float))
            .Node("Div", ["srf", "rate"], ["ratio"], "div")
            .Node("Mul", ["m", "ratio"], ["output"], "mul")
            .Node("Unsqueeze", ["output", "axes"], ["u"], "unsqueeze")
            .Node("Add", ["h", "u"], ["hn"], "add")
            .Build();
        foreach (var (value, axis) in new[] { (model.Graph.Input[0], 0), (model.Graph.Input[2], 1), (model.Graph.Output[0], 0), (model.Graph.Output[1], 1) })
        {
            value.Type.TensorType.Shape.Dim[axis] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        }
        return model;
    }

    private static string WriteModel(TempFolder temp, ModelProto model)
    {
        var path = Path.Combine(temp.Path, "model.onnx");
        ModelBuilder.Write(model, path);
        return path;
    }

    [TestMethod]
    public void A_scalar_input_given_by_InputValues_and_zero_state_let_a_streaming_model_calibrate()
    {
        using var temp = new TempFolder();
        var modelPath = WriteModel(temp, StreamingModel());
        var data = Path.Combine(temp.Path, "input.npy");
        NpyWriter.Write<float>(data, [24, 1, 8], TestTensors.Values(24 * 8, seed: 1));
        var log = new CollectingLog();

        var result = QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = modelPath,
            CalibrationData = data,
            OutputDirectory = temp.Path,
            InputValues = new Dictionary<string, double> { ["sr"] = 16000 },
            RecurrentState = RecurrentStateMode.Zero,
        }, log);

        Assert.AreEqual("matmul", result.Report.Layers.Single().Name);
        Assert.AreEqual(24, result.Report.Calibration.Samples, "one run per [1,8] sample");
        CollectionAssert.AreEqual(
            new[] { "sr = 16000 (InputValues sr=16000)", "h = 0 (recurrent state, zero as at the start of a stream (RecurrentState=zero))" },
            result.Report.Calibration.FixedInputs.ToArray());
        Assert.IsNotNull(result.Report.Evaluation, "the evaluation runs the same way");
        Assert.IsGreaterThan(0.99, result.Report.Evaluation.Outputs.Single(o => o.Output == "output").CosineMean);

        var sample = TensorData.FromArray<float>("input", [1, 8], TestTensors.Values(8, seed: 2));
        var sr = TensorData.FromArray<long>("sr", [], [16000]);
        var h = TensorData.FromArray<float>("h", [2, 1, 4], new float[8]);
        TestTensors.AssertClose(OrtRunner.Run(StreamingModel(), sample, sr, h)[0],
            OrtRunner.Run(ModelLoader.Load(result.QuantizedModel), optimized: true, sample, sr, h)[0], 0.1);
    }

    /// <summary>
    /// A stream whose state adds up its inputs (<c>hn = h + input</c>) and whose MatMul reads <c>input + h</c>: with the
    /// state carried, sample k's state is the sum of the k samples before it, so the MatMul's input range is the
    /// stream's, many times what a stream's first sample (zero state) shows.
    /// </summary>
    internal static ModelProto AccumulatingModel()
    {
        var model = new ModelBuilder()
            .Input("input", DataTypes.Float, 1, 4)
            .Input("sr", DataTypes.Int64)
            .Input("h", DataTypes.Float, 1, 4)
            .Output("output", DataTypes.Float, 1, 4)
            .Output("hn", DataTypes.Float, 1, 4)
            .Initializer("w", [4, 4], ModelBuilder.Pattern(16))
            .Node("Add", ["input", "h"], ["s"], "add")
            .Node("MatMul", ["s", "w"], ["output"], "matmul")
            .Node("Add", ["h", "input"], ["hn"], "accumulate")
            .Build();
        foreach (var value in new[] { model.Graph.Input[0], model.Graph.Input[2], model.Graph.Output[0], model.Graph.Output[1] })
        {
            value.Type.TensorType.Shape.Dim[0] = new TensorShapeProto.Types.Dimension { DimParam = "batch" };
        }
        return model;
    }

    [TestMethod]
    public void Recurrent_state_is_carried_from_sample_to_sample_by_the_float_model_in_data_order()
    {
        using var temp = new TempFolder();
        var modelPath = WriteModel(temp, AccumulatingModel());
        var data = Path.Combine(temp.Path, "input.npy");
        var values = TestTensors.Values(24 * 4, seed: 3, low: 0f, high: 1f);
        NpyWriter.Write<float>(data, [24, 1, 4], values);
        var feed = InputFeed.Plan(ModelLoader.Load(modelPath), new Dictionary<string, double> { ["sr"] = 16000 }, "InputValues");
        CollectionAssert.AreEqual(new[] { new StatePair("h", "hn") }, feed.States.ToArray());

        using var stepper = new FloatStateStepper(ModelLoader.Load(modelPath), modelPath, feed.States);
        using var source = SampleSources.Open(data, feed.DataInputs, SampleSourceOptions.Default with { FixedInputs = feed.Fixed, CarriedState = new CarriedStateCache(stepper) });
        var states = source.Read().Select(s => TensorData.ToArray<float>(s.Inputs["h"])).ToList();

        Assert.HasCount(24, states);
        var sum = new float[4];
        for (var k = 0; k < 24; k++)
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.AreEqual(sum[i], states[k][i], 1e-5, $"sample {k}'s state h[{i}]: the sum of the samples before it");
                sum[i] += values[k * 4 + i];
            }
        }
    }

    [TestMethod]
    public void Calibration_with_carried_state_covers_the_range_a_stream_reaches()
    {
        using var temp = new TempFolder();
        var modelPath = WriteModel(temp, AccumulatingModel());
        var data = Path.Combine(temp.Path, "input.npy");
        NpyWriter.Write<float>(data, [24, 1, 4], TestTensors.Values(24 * 4, seed: 3, low: 0f, high: 1f));

        double MatMulInputMax(RecurrentStateMode mode)
        {
            var result = QuantizationJob.Run(new QuantizeRequest
            {
                QualityFloor = false, // a synthetic model; the floor has its own tests
                MeasureLatency = false,
                ModelPath = modelPath,
                CalibrationData = data,
                OutputDirectory = Path.Combine(temp.Path, mode.ToString()),
                InputValues = new Dictionary<string, double> { ["sr"] = 16000 },
                RecurrentState = mode,
            }, new CollectingLog());
            if (mode == RecurrentStateMode.Carried)
            {
                StringAssert.Contains(result.Report.Calibration.FixedInputs.Single(f => f.StartsWith("h ", StringComparison.Ordinal)),
                    "the float model's 'hn' after the sample before");
            }
            return result.Report.Tensors.Single(t => t.Name == "s").ObservedMax!.Value;
        }

        var zero = MatMulInputMax(RecurrentStateMode.Zero);
        var carried = MatMulInputMax(RecurrentStateMode.Carried);
        Assert.IsLessThanOrEqualTo(1.0, zero, "every sample a stream's first: input + 0");
        Assert.IsGreaterThan(8.0, carried, "the state sums about 24 × 0.5 by the last sample");
    }

    [TestMethod]
    public void A_scalar_input_without_data_or_value_is_refused_naming_the_setting()
    {
        using var temp = new TempFolder();
        var modelPath = WriteModel(temp, StreamingModel());
        var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "data")).FullName;
        NpyWriter.Write<float>(Path.Combine(folder, "input.npy"), [4, 1, 8], TestTensors.Values(32, seed: 1));

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = modelPath,
            CalibrationData = folder,
            OutputDirectory = temp.Path,
        }, new CollectingLog()));

        Assert.AreEqual(ErrorCodes.DataMissingInput, error.Code);
        StringAssert.Contains(error.Message, "--input-values sr=VALUE");
    }

    [TestMethod]
    public void InputValues_naming_no_input_is_refused()
    {
        using var temp = new TempFolder();
        var modelPath = WriteModel(temp, StreamingModel());
        var data = Path.Combine(temp.Path, "input.npy");
        NpyWriter.Write<float>(data, [4, 1, 8], TestTensors.Values(32, seed: 1));

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = modelPath,
            CalibrationData = data,
            OutputDirectory = temp.Path,
            InputValues = new Dictionary<string, double> { ["rate"] = 1 },
        }, new CollectingLog()));

        Assert.AreEqual(ErrorCodes.BadSettingValue, error.Code);
        StringAssert.Contains(error.Message, "'rate' is not an input");
    }

    /// <summary>
    /// An operator test's inputs: <c>x</c> [3,4] and <c>bias</c> [2] fix different first dimensions. Each ONNX test data
    /// set (one tensor per input, shaped like it) is one run.
    /// </summary>
    [TestMethod]
    public void Inputs_fixing_different_first_dimensions_are_fed_one_test_data_set_per_run()
    {
        using var temp = new TempFolder();
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 3, 4)
            .Input("bias", DataTypes.Float, 2)
            .Output("y", DataTypes.Float, 3, 2)
            .Initializer("w", [4, 2], ModelBuilder.Pattern(8))
            .Node("MatMul", ["x", "w"], ["m"], "matmul")
            .Node("Add", ["m", "bias"], ["y"], "add")
            .Build();
        var modelPath = WriteModel(temp, model);
        for (var set = 0; set < 3; set++)
        {
            var folder = Directory.CreateDirectory(Path.Combine(temp.Path, "data", $"test_data_set_{set}")).FullName;
            File.WriteAllBytes(Path.Combine(folder, "input_0.pb"), TestTensors.Random("x", [3, 4], seed: set).ToByteArray());
            File.WriteAllBytes(Path.Combine(folder, "input_1.pb"), TestTensors.Random("bias", [2], seed: 10 + set).ToByteArray());
        }

        var result = QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = modelPath,
            CalibrationData = Path.Combine(temp.Path, "data"),
            OutputDirectory = temp.Path,
        }, new CollectingLog());

        Assert.AreEqual("matmul", result.Report.Layers.Single().Name);
        Assert.AreEqual(3, result.Report.Calibration.Samples);
        Assert.IsEmpty(result.Report.Calibration.FixedInputs, "both inputs come from the data");
    }

    [TestMethod]
    public void A_batchable_model_is_planned_as_before()
    {
        var feed = InputFeed.Plan(ModelBuilder.Gemm(), new Dictionary<string, double>(), "InputValues");

        Assert.IsEmpty(feed.Fixed);
        Assert.IsFalse(feed.DataInputs.Single().Whole);
    }
}
