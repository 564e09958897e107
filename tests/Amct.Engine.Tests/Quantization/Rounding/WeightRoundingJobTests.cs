using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization.Rounding;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Rounding;

/// <summary>WeightRounding=hessian in whole quantization jobs.</summary>
[TestClass]
public sealed class WeightRoundingJobTests
{
    /// <summary>
    /// A padded 3 × 3 convolution over smooth images: neighbouring pixels are strongly correlated, so one input's
    /// rounding error can largely be made up by its neighbours' weights. With 4-bit weights the weights' rounding is the
    /// model's main error; rounding them by the inputs' statistics must raise the output SQNR on held-out images
    /// clearly above rounding to nearest on the same scales.
    /// </summary>
    [TestMethod]
    public void Rounding_by_the_inputs_beats_rounding_to_nearest_on_held_out_data()
    {
        using var temp = new TempFolder();
        var request = Request(temp, WeightRounding.Nearest) with { WeightBits = 4 };

        var nearest = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "nearest") }, new CollectingLog()).Report;
        var log = new CollectingLog();
        var hessian = QuantizationJob.Run(request with
        {
            OutputDirectory = Path.Combine(temp.Path, "hessian"), WeightRounding = WeightRounding.Hessian,
        }, log).Report;

        var (before, after) = (Sqnr(nearest), Sqnr(hessian));
        Assert.IsGreaterThan(before + 3, after, $"nearest {before:0.00} dB, hessian {after:0.00} dB; " + string.Join("; ", log.Messages));
        Assert.IsNull(nearest.WeightRounding);
        CollectionAssert.AreEqual(new[] { "conv" }, hessian.WeightRounding!.Layers.ToArray());
        Assert.AreEqual(64, hessian.WeightRounding.Samples);
        // Kept because the int8 model's outputs measure better on the calibration data too.
        var check = hessian.WeightRounding.OutputCheck!;
        Assert.IsTrue(check.Kept);
        Assert.IsGreaterThan(check.NearestSqnrDb, check.RoundedSqnrDb);
        // The scales are the weights stage's: only the codes change.
        Assert.AreEqual(nearest.Layers[0].WeightScaleMin, hessian.Layers[0].WeightScaleMin);
        Assert.AreEqual(nearest.Layers[0].WeightScaleMax, hessian.Layers[0].WeightScaleMax);
    }

    [TestMethod]
    public void On_by_default_and_the_same_inputs_give_the_same_bytes()
    {
        Assert.AreEqual(WeightRounding.Hessian, new QuantizeRequest { ModelPath = "m.onnx", OutputDirectory = "out" }.WeightRounding);
        using var temp = new TempFolder();
        var request = Request(temp, WeightRounding.Hessian);
        var first = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "a") }, new CollectingLog());
        var second = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "b") }, new CollectingLog());
        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(second.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(first.RecordFile), File.ReadAllBytes(second.RecordFile));
    }

    /// <summary>
    /// A MatMul with one input per output: with no later input to make an error up in, rounding by the inputs picks
    /// the very codes of nearest rounding, so the outputs measure the same, and on that tie nearest rounding ships —
    /// the model's bytes are those of WeightRounding=Nearest, and the report says the codes were not kept.
    /// </summary>
    [TestMethod]
    public void Codes_that_do_not_make_the_outputs_better_are_not_kept()
    {
        using var temp = new TempFolder();
        var modelPath = Path.Combine(temp.Path, "matmul.onnx");
        ModelBuilder.Write(new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 1)
            .Output("Y", DataTypes.Float, 1, 4)
            .Initializer("W", [1, 4], ModelBuilder.Pattern(4, scale: 0.7, phase: 0.3))
            .Node("MatMul", ["X", "W"], ["Y"], "fc")
            .Build(), modelPath);
        var calibration = Path.Combine(temp.Path, "calibration.npy");
        NpyWriter.Write<float>(calibration, [64, 1], ModelBuilder.Pattern(64, scale: 1));
        var request = new QuantizeRequest
        {
            ModelPath = modelPath, CalibrationData = calibration, OutputDirectory = Path.Combine(temp.Path, "hessian"),
            QualityFloor = false, MeasureLatency = false, OptimizeFor = Amct.Engine.Latency.OptimizeFor.Size,
        };
        var log = new CollectingLog();
        var hessian = QuantizationJob.Run(request, log);
        var nearest = QuantizationJob.Run(request with
        {
            OutputDirectory = Path.Combine(temp.Path, "nearest"), WeightRounding = WeightRounding.Nearest,
        }, new CollectingLog());

        var rounding = hessian.Report.WeightRounding!;
        CollectionAssert.AreEqual(new[] { "fc" }, rounding.Layers.ToArray(), string.Join("; ", log.Messages));
        Assert.IsFalse(rounding.OutputCheck!.Kept, string.Join("; ", log.Messages));
        Assert.AreEqual(rounding.OutputCheck.NearestSqnrDb, rounding.OutputCheck.RoundedSqnrDb);
        StringAssert.Contains(rounding.Describe(), "not kept");
        CollectionAssert.AreEqual(File.ReadAllBytes(nearest.QuantizedModel), File.ReadAllBytes(hessian.QuantizedModel));
    }

    [TestMethod]
    public void Without_calibration_data_the_report_says_why_it_did_not_run()
    {
        using var temp = new TempFolder();
        var request = Request(temp, WeightRounding.Nearest);
        var record = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "first") }, new CollectingLog()).RecordFile;
        var log = new CollectingLog();
        var rebuilt = QuantizationJob.Run(request with
        {
            OutputDirectory = Path.Combine(temp.Path, "rebuilt"), CalibrationData = null, RecordInput = record,
            WeightRounding = WeightRounding.Hessian,
        }, log).Report;
        StringAssert.Contains(rebuilt.WeightRounding!.NotRunBecause, "no calibration data");
        Assert.IsEmpty(rebuilt.WeightRounding.Layers);
    }

    /// <summary>A 4-input Gemm seen on 8 samples: 8 input vectors for 4 inputs, fewer than the 10 per input H needs.</summary>
    [TestMethod]
    public void A_layer_seen_on_too_few_inputs_is_rounded_to_nearest_and_the_report_says_why()
    {
        using var temp = new TempFolder();
        var modelPath = Path.Combine(temp.Path, "gemm.onnx");
        ModelBuilder.Write(ModelBuilder.Gemm(), modelPath);
        var calibration = Path.Combine(temp.Path, "calibration.npy");
        NpyWriter.Write<float>(calibration, [8, 4], ModelBuilder.Pattern(32, scale: 1));
        var report = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = modelPath, CalibrationData = calibration, OutputDirectory = temp.Path, QualityFloor = false,
            MeasureLatency = false, WeightRounding = WeightRounding.Hessian,
        }, new CollectingLog()).Report;
        Assert.IsEmpty(report.WeightRounding!.Layers);
        StringAssert.Contains(report.WeightRounding.Nearest.Single(n => n.Name == "fc").Reason, "8 input vectors on the calibration data for 4 inputs");
    }

    private static QuantizeRequest Request(TempFolder temp, WeightRounding rounding)
    {
        var modelPath = Path.Combine(temp.Path, "model.onnx");
        ModelBuilder.Write(new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 3, 12, 12)
            .Output("Y", DataTypes.Float, 1, 8, 12, 12)
            .Initializer("W", [8, 3, 3, 3], ModelBuilder.Pattern(8 * 27, scale: 0.4, phase: 0.2))
            .Initializer("B", [8], ModelBuilder.Pattern(8, scale: 0.1))
            .Node("Conv", ["X", "W", "B"], ["Y"], "conv", ModelBuilder.IntsAttribute("pads", 1, 1, 1, 1))
            .Build(), modelPath);
        var (calibration, evaluation) = (Path.Combine(temp.Path, "calibration.npy"), Path.Combine(temp.Path, "evaluation.npy"));
        NpyWriter.Write<float>(calibration, [64, 3, 12, 12], SmoothImages(64, seed: 1));
        NpyWriter.Write<float>(evaluation, [32, 3, 12, 12], SmoothImages(32, seed: 2));
        return new QuantizeRequest
        {
            ModelPath = modelPath, CalibrationData = calibration, EvaluationData = evaluation, OutputDirectory = temp.Path,
            QualityFloor = false, MeasureLatency = false, WeightRounding = rounding,
        };
    }

    private static double Sqnr(QuantReport report) => report.Evaluation!.Outputs[0].SqnrDb;

    /// <summary>Sums of a few slow random waves per channel: neighbouring pixels (and channels) move together.</summary>
    private static float[] SmoothImages(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * 3 * 144];
        for (var n = 0; n < count; n++)
        {
            var waves = Enumerable.Range(0, 3).Select(_ => (A: random.NextDouble() - 0.5, Fx: random.NextDouble() * 0.5,
                Fy: random.NextDouble() * 0.5, P: random.NextDouble() * 6)).ToArray();
            for (var c = 0; c < 3; c++)
            {
                for (var i = 0; i < 144; i++)
                {
                    var (y, x) = (i / 12, i % 12);
                    values[(((n * 3) + c) * 144) + i] = (float)waves.Sum(w => w.A * (1 + (0.3 * c)) * Math.Sin((w.Fx * x) + (w.Fy * y) + w.P + c));
                }
            }
        }
        return values;
    }
}
