using Amct.Engine.Calibration;
using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.OutputError;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.OutputError;

/// <summary>Output-aware activation ranges (issue 17, item 4): CalibrationMethod=auto.</summary>
[TestClass]
public sealed class OutputAwareRangesTests
{
    /// <summary>
    /// A 1×1 convolution whose input channel 0 spikes to 50 at two of 262,144 calibration values, with weight 0.001;
    /// channels 1–3 stay in [0, 1] with weights near 1. IFMR starts from the 0.999999 percentile — the largest value
    /// here — and clipping the spikes costs it more at the tensor than the coarse step (50/255) does, so it keeps 50.
    /// Percentile (0.99999) clips the spikes to the bulk's range. At the output the spikes are worth 0.05 each while the
    /// bulk channels are rounded 50 times finer: auto must choose that clip and beat IFMR's output SQNR clearly.
    /// </summary>
    [TestMethod]
    public void Auto_clips_an_outlier_the_output_does_not_care_about_and_beats_ifmr_at_the_output()
    {
        using var temp = new TempFolder();
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 4, 32, 32)
            .Output("Y", DataTypes.Float, 1, 2, 32, 32)
            .Initializer("W", [2, 4, 1, 1], [0.001f, 1f, 0.9f, 0.8f, 0.001f, -0.7f, 1f, 0.6f])
            .Initializer("B", [2], [0.1f, -0.2f])
            .Node("Conv", ["X", "W", "B"], ["Y"], "conv")
            .Build();

        var (ifmr, auto) = IfmrAndAuto(temp, model);

        var (before, after) = (ifmr.Evaluation!.Outputs[0].SqnrDb, auto.Evaluation!.Outputs[0].SqnrDb);
        Assert.IsGreaterThan(before + 6, after, $"ifmr {before:0.00} dB, auto {after:0.00} dB");
        var input = auto.Tensors.Single(t => t.Name == "X");
        StringAssert.StartsWith(input.Algorithm, "auto (", input.Algorithm);
        Assert.IsLessThan(25, input.ClipMax);
    }

    /// <summary>
    /// The same spiky input, now read by a convolution whose Relu folds into its quantized output: the spike channel's
    /// weight is −1 with bias 0.5 on output 0, so a spike drives that output to −49.5 and the Relu cuts it to 0 whether
    /// the spike is clipped or not. Before the Relu, clipping the two spikes costs 2 × 49² ≈ 4,800, more than the coarse
    /// step's rounding over the 262,144 bulk values (≈ 3,400), so an error measured there keeps IFMR's 50; after it,
    /// the clip costs nothing, and only Percentile's clip at the bulk's top (1) keeps the fine step. The int8 model
    /// computes the clipped output, so auto must measure there and choose Percentile.
    /// </summary>
    [TestMethod]
    public void Auto_measures_a_layer_after_the_relu_folded_into_it_so_an_error_the_relu_cuts_away_costs_nothing()
    {
        using var temp = new TempFolder();
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 4, 32, 32)
            .Output("Y", DataTypes.Float, 1, 2, 32, 32)
            .Initializer("W", [2, 4, 1, 1], [-1f, 0f, 0f, 0f, 0f, 1f, 1f, 1f])
            .Initializer("B", [2], [0.5f, 0f])
            .Initializer("W2", [2, 2, 1, 1], [1f, 0f, 0f, 1f])
            .Node("Conv", ["X", "W", "B"], ["R"], "conv")
            .Node("Relu", ["R"], ["H"], "relu")
            .Node("Conv", ["H", "W2"], ["Y"], "conv2")
            .Build();

        var (ifmr, auto) = IfmrAndAuto(temp, model);

        var input = auto.Tensors.Single(t => t.Name == "X");
        Assert.AreEqual("auto (percentile)", input.Algorithm, $"clip [{input.ClipMin}, {input.ClipMax}]");
        Assert.IsLessThan(1.01, input.ClipMax);
        var (before, after) = (ifmr.Evaluation!.Outputs[0].SqnrDb, auto.Evaluation!.Outputs[0].SqnrDb);
        Assert.IsGreaterThan(before + 6, after, $"ifmr {before:0.00} dB, auto {after:0.00} dB");
    }

    [TestMethod]
    public void Candidates_are_each_method_s_union_over_the_group_without_duplicates_and_ties_keep_the_first()
    {
        var a = new TensorObservation("a", keepHistogram: true);
        a.Add([0f, 1f, 2f]);
        var b = new TensorObservation("b", keepHistogram: true);
        b.Add([-1f, 0f, 1f]);
        var observations = new Dictionary<string, TensorObservation> { ["a"] = a, ["b"] = b };
        var candidates = RangeCandidates.For(["a", "b", "c"], observations, [new MinMaxMethod(), new MinMaxMethod()], ActivationMode.Asymmetric);
        Assert.HasCount(1, candidates);
        Assert.AreEqual(new ClipRange(-1, 2), candidates[0].Range);
        Assert.AreEqual(ActivationParams.FromRange(-1, 2, ActivationMode.Asymmetric), candidates[0].Params);
        Assert.AreEqual(0, RangeCandidates.Best([1.0, 1.0, 2.0]));
        Assert.AreEqual(2, RangeCandidates.Best([1.0, 1.0, 0.5]));
    }

    /// <summary>
    /// The model quantized with IFMR and with auto, calibrated on 64 spiky samples (spikes in samples 0 and 1) and
    /// evaluated on 16 (a spike in sample 3).
    /// </summary>
    private static (QuantReport Ifmr, QuantReport Auto) IfmrAndAuto(TempFolder temp, ModelProto model)
    {
        var modelPath = Path.Combine(temp.Path, "model.onnx");
        ModelBuilder.Write(model, modelPath);
        var (calibration, evaluation) = (Path.Combine(temp.Path, "calibration.npy"), Path.Combine(temp.Path, "evaluation.npy"));
        NpyWriter.Write<float>(calibration, [64, 4, 32, 32], Spiky(64, seed: 1, spikes: [0, 1]));
        NpyWriter.Write<float>(evaluation, [16, 4, 32, 32], Spiky(16, seed: 2, spikes: [3]));
        var request = new QuantizeRequest
        {
            ModelPath = modelPath, CalibrationData = calibration, EvaluationData = evaluation, OutputDirectory = Path.Combine(temp.Path, "ifmr"),
            QualityFloor = false, MeasureLatency = false,
        };
        var ifmr = QuantizationJob.Run(request, new CollectingLog()).Report;
        var auto = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "auto"), Method = "auto" }, new CollectingLog()).Report;
        return (ifmr, auto);
    }

    /// <summary>Samples [count, 4, 32, 32] uniform in [0, 1], with value 50 at channel 0, position 0 of the samples listed.</summary>
    private static float[] Spiky(int count, int seed, int[] spikes)
    {
        var random = new Random(seed);
        var values = Enumerable.Range(0, count * 4096).Select(_ => random.NextSingle()).ToArray();
        foreach (var sample in spikes)
        {
            values[sample * 4096] = 50f;
        }
        return values;
    }
}
