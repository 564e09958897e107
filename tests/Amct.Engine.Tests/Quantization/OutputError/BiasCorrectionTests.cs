using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.Quantization.OutputError;

/// <summary>Empirical bias correction (issue 17, item 1), end to end through the quantization job.</summary>
[TestClass]
public sealed class BiasCorrectionTests
{
    /// <summary>
    /// Y = X·Wᵀ + B with W = [[1, 0.3, 0.3, 0.3], [−0.5, 0.2, 0.2, 0.2]], B = [0.1, −0.2]. Row 0's scale is 1/127 and
    /// 0.3 → code 38 (38.1 rounded), 0.1/127 low; row 1's is 0.5/128 and 0.2 → code 51 (51.2 rounded), 0.00078125 low.
    /// The inputs sit exactly on the input grid (MinMax range [0, 2.55], step 0.01), so only the weights shift the
    /// output: by −0.1/127 · (0.625 + 0.75 + 0.625) = −0.2/127 and −0.00078125 · 2 = −0.0015625 (the column means of X
    /// times the rounding). Bias scales are 0.01/127 and 0.01 · 0.5/128: uncorrected B is 1270 and −5120 codes;
    /// corrected, (0.1 + 0.2/127) · 12700 = 1290 and (−0.2 + 0.0015625) / 3.90625e−5 = −5080.
    /// </summary>
    [TestMethod]
    public void The_corrected_int32_bias_is_the_hand_computed_one()
    {
        using var temp = new TempFolder();
        var request = GemmRequest(temp.Path, [1f, 0.3f, 0.3f, 0.3f, -0.5f, 0.2f, 0.2f, 0.2f], [0.1f, -0.2f],
            [2.55f, 1f, 0.5f, 0f, 0f, 0.5f, 1f, 1f, 1f, 1f, 1f, 0.5f, 0.5f, 0f, 0.5f, 1f]);

        Assert.AreEqual("1270 -5120", string.Join(" ", Bias(QuantizationJob.Run(request, new CollectingLog()))));
        Assert.AreEqual("1290 -5080", string.Join(" ", Bias(QuantizationJob.Run(request with { BiasCorrection = true }, new CollectingLog()))));
    }

    /// <summary>
    /// A convolution whose weights all round the same way (0.3 → 38/127, 0.1/127 low, beside one 1.0 that sets the
    /// scale) on positive inputs: every output of the int8 model sits below the float one. With bias correction the
    /// mean error per channel on held-out samples falls to a fraction of that.
    /// </summary>
    [TestMethod]
    public void A_systematic_weight_rounding_shift_is_removed_from_the_output_mean()
    {
        using var temp = new TempFolder();
        const int channels = 3;
        var weights = Enumerable.Range(0, channels * 2 * 9).Select(i => i % 18 == 0 ? 1f : 0.3f).ToArray();
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 2, 8, 8)
            .Output("Y", DataTypes.Float, 1, channels, 6, 6)
            .Initializer("W", [channels, 2, 3, 3], weights)
            .Initializer("B", [channels], [0.1f, 0.2f, 0.3f])
            .Node("Conv", ["X", "W", "B"], ["Y"], "conv")
            .Build();
        var modelPath = Path.Combine(temp.Path, "conv.onnx");
        ModelBuilder.Write(model, modelPath);
        var calibration = Path.Combine(temp.Path, "calibration.npy");
        var evaluation = Path.Combine(temp.Path, "evaluation.npy");
        NpyWriter.Write<float>(calibration, [32, 2, 8, 8], Uniform(32 * 128, seed: 1));
        var held = Uniform(32 * 128, seed: 2);
        NpyWriter.Write<float>(evaluation, [32, 2, 8, 8], held);
        var request = new QuantizeRequest
        {
            ModelPath = modelPath, CalibrationData = calibration, OutputDirectory = Path.Combine(temp.Path, "plain"),
            QualityFloor = false, SkipEvaluation = true, MeasureLatency = false, BiasCorrection = false,
            // Rounding to nearest: the default weight rounding by the inputs already takes most of this shift away.
            WeightRounding = Amct.Engine.Quantization.Rounding.WeightRounding.Nearest,
        };
        var plain = QuantizationJob.Run(request, new CollectingLog());
        var corrected = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "corrected"), BiasCorrection = true },
            new CollectingLog());

        var before = MeanErrorPerChannel(modelPath, plain.QuantizedModel, held);
        var after = MeanErrorPerChannel(modelPath, corrected.QuantizedModel, held);
        var report = $"before {string.Join(" ", before)}, after {string.Join(" ", after)}";
        Assert.IsTrue(before.All(b => b < -0.003), report);
        Assert.IsTrue(after.All(a => Math.Abs(a) < 0.2 * Math.Abs(before.Max())), report);
    }

    /// <summary>
    /// Z = X·Wᵀ with W = [[10, 0.3]]: the row's scale is 10/127, so 0.3 becomes 4 codes, 0.315, and Z is 0.015·x₂ too
    /// high; Y = Exp(Z). Half the samples are (0.25, 0): Z = 2.5, no shift, Y = 12.2; half are (0, 2): Z = 0.6, shifted by
    /// +0.03, Y = 1.8. The Gemm's mean shift is +0.015, and removing it halves that layer's error; but it moves every
    /// (0.25, 0) sample's Z by −0.015, and Exp weighs those 6.7× more than the others: the output's error grows about
    /// tenfold. So the correction is measured, found worse at the output, and not kept: the model is the uncorrected one.
    /// </summary>
    [TestMethod]
    public void A_correction_that_makes_the_model_output_worse_is_not_kept()
    {
        using var temp = new TempFolder();
        var request = GemmRequest(temp.Path, [10f, 0.3f], [0f],
            [0.25f, 0f, 0f, 2f, 0.25f, 0f, 0f, 2f, 0.25f, 0f, 0f, 2f, 0.25f, 0f, 0f, 2f], exp: true) with
        {
            OutputDirectory = Path.Combine(temp.Path, "off"),
        };
        var log = new CollectingLog();

        var uncorrected = QuantizationJob.Run(request, new CollectingLog());
        var guarded = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "on"), BiasCorrection = true }, log);

        var report = guarded.Report.BiasCorrection!;
        var check = report.OutputCheck!;
        Assert.AreEqual(1, report.Measured);
        Assert.AreEqual(0, report.Layers);
        Assert.IsFalse(check.Kept);
        Assert.IsLessThan(check.UncorrectedSqnrDb - 6, check.CorrectedSqnrDb, $"{check}");
        CollectionAssert.AreEqual(File.ReadAllBytes(uncorrected.QuantizedModel), File.ReadAllBytes(guarded.QuantizedModel));
        Assert.AreEqual(1, log.Messages.Count(m => m.StartsWith("bias correction: not kept", StringComparison.Ordinal)), string.Join("\n", log.Messages));
        StringAssert.Contains(File.ReadAllText(guarded.Report.HumanReport!), "| bias correction | 1 layers measured, none corrected");
    }

    /// <summary>The kept corrections say how the outputs measured with and without them.</summary>
    [TestMethod]
    public void A_kept_correction_reports_the_output_check()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel, CalibrationData = TestData.DigitsCalibration, OutputDirectory = temp.Path,
            SkipEvaluation = true, MeasureLatency = false,
        }, new CollectingLog());

        var report = result.Report.BiasCorrection!;
        Assert.AreEqual(6, report.Layers);
        Assert.AreEqual(6, report.Measured);
        Assert.IsTrue(report.OutputCheck!.Kept);
        Assert.IsGreaterThan(report.OutputCheck.UncorrectedSqnrDb, report.OutputCheck.CorrectedSqnrDb, $"{report.OutputCheck}");
    }

    /// <summary>
    /// The output check compares with the float outputs the layer probe kept (and on the calibration batches the job
    /// decoded once): its figures must be those of the float model run by itself against the int8 model with and
    /// without the corrections, on the same samples. A misaligned or wrong reference moves them by whole decibels.
    /// </summary>
    [TestMethod]
    public void The_output_check_measures_what_the_float_model_run_by_itself_measures()
    {
        using var temp = new TempFolder();
        // Every layer int8 and nothing evaluated: the written model is the one the check measured.
        var request = new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel, CalibrationData = TestData.DigitsCalibration, OutputDirectory = Path.Combine(temp.Path, "on"),
            SkipEvaluation = true, MeasureLatency = false, OptimizeFor = Amct.Engine.Latency.OptimizeFor.Size,
        };
        var corrected = QuantizationJob.Run(request, new CollectingLog());
        var uncorrected = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "off"), BiasCorrection = false },
            new CollectingLog());

        var check = corrected.Report.BiasCorrection!.OutputCheck!;
        Assert.IsTrue(check.Kept);
        Assert.AreEqual(Sqnr(corrected.QuantizedModel), check.CorrectedSqnrDb, 0.002, $"{check}");
        Assert.AreEqual(Sqnr(uncorrected.QuantizedModel), check.UncorrectedSqnrDb, 0.002, $"{check}");
    }

    /// <summary>The mean output SQNR of an int8 digits model against the float one on the calibration samples.</summary>
    private static double Sqnr(string quantizedModel)
    {
        var inputs = Amct.Engine.Data.ModelInput.Of(ModelLoader.Load(TestData.DigitsModel));
        using var source = Amct.Engine.Data.SampleSources.Open(TestData.DigitsCalibration, inputs);
        var batches = Amct.Engine.Data.SampleBatches.Read(source, inputs, Amct.Engine.Data.SampleBatches.ChooseBatchSize(inputs))
            .Select(b => new Amct.Engine.Evaluation.InputBatch(b.Inputs, b.Count));
        return Amct.Engine.Evaluation.ModelEvaluator.Compare(TestData.DigitsModel, quantizedModel, batches, null).Outputs.Average(o => o.SqnrDb);
    }

    /// <summary>
    /// Y = X·Wᵀ + B (a Gemm with transB; W is [bias length, inputs]), or Exp of it with <paramref name="exp"/>, calibrated
    /// with MinMax on <paramref name="samples"/>, bias correction off, into <paramref name="folder"/>.
    /// </summary>
    private static QuantizeRequest GemmRequest(string folder, float[] weights, float[] bias, float[] samples, bool exp = false)
    {
        var (outputs, inputs) = (bias.Length, weights.Length / bias.Length);
        var builder = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, inputs)
            .Output("Y", DataTypes.Float, 1, outputs)
            .Initializer("W", [outputs, inputs], weights)
            .Initializer("B", [outputs], bias)
            .Node("Gemm", ["X", "W", "B"], [exp ? "Z" : "Y"], "fc", ModelBuilder.IntAttribute("transB", 1));
        if (exp)
        {
            builder.Node("Exp", ["Z"], ["Y"], "exp");
        }
        var modelPath = Path.Combine(folder, "gemm.onnx");
        ModelBuilder.Write(builder.Build(), modelPath);
        var data = Path.Combine(folder, "x.npy");
        NpyWriter.Write<float>(data, [samples.Length / inputs, inputs], samples);
        return new QuantizeRequest
        {
            ModelPath = modelPath, CalibrationData = data, OutputDirectory = folder, Method = "minmax",
            QualityFloor = false, SkipEvaluation = true, MeasureLatency = false, BiasCorrection = false,
        };
    }

    private static float[] Uniform(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.NextSingle()).ToArray();
    }

    private static int[] Bias(QuantizeResult result)
    {
        var model = ModelLoader.Load(result.QuantizedModel);
        return TensorData.ToArray<int>(model.Graph.Initializer.Single(t => t.DataType == DataTypes.Int32 && t.Dims.Count == 1 && t.Name.Contains("bias_quantized")));
    }

    /// <summary>Mean of (int8 − float) per output channel over the samples, one sample per run.</summary>
    private static double[] MeanErrorPerChannel(string floatModel, string int8Model, float[] samples)
    {
        using var reference = new InferenceSession(floatModel);
        using var quantized = new InferenceSession(int8Model);
        using var options = new RunOptions();
        var sums = new double[3];
        var count = 0;
        for (var s = 0; s < samples.Length / 128; s++)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(samples[(s * 128)..((s + 1) * 128)], [1, 2, 8, 8]);
            using var f = reference.Run(options, ["X"], [input], ["Y"]);
            using var q = quantized.Run(options, ["X"], [input], ["Y"]);
            var fv = f[0].GetTensorDataAsSpan<float>();
            var qv = q[0].GetTensorDataAsSpan<float>();
            for (var i = 0; i < fv.Length; i++)
            {
                sums[i / 36] += qv[i] - fv[i];
            }
            count += 36;
        }
        return sums.Select(x => x / count).ToArray();
    }
}
