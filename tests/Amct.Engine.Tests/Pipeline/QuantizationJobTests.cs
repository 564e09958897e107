using System.Text.Json;
using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>End to end on the real digits CNN: calibrate, write, evaluate in ONNX Runtime.</summary>
[TestClass]
public sealed class QuantizationJobTests
{
    internal static QuantizeRequest DigitsRequest(string outputDirectory) => new()
    {
        ModelPath = TestData.DigitsModel,
        CalibrationData = TestData.DigitsCalibration,
        OutputDirectory = outputDirectory,
        EvaluationData = TestData.PathOf("digits-cnn/test_x.npy"),
        EvaluationLabels = TestData.PathOf("digits-cnn/test_y.npy"),
    };

    [TestMethod]
    public void Digits_cnn_int8_keeps_top1_within_half_a_point_of_float()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(DigitsRequest(temp.Path), new CollectingLog());

        var evaluation = result.Report.Evaluation!;
        Assert.AreEqual(497, evaluation.Samples);
        var drop = evaluation.FloatAccuracy!.Top1 - evaluation.QuantizedAccuracy!.Top1;
        Assert.IsLessThanOrEqualTo(0.005, drop, $"float {evaluation.FloatAccuracy.Top1:P2}, int8 {evaluation.QuantizedAccuracy.Top1:P2}");
        Assert.IsGreaterThan(0.99, evaluation.Outputs.Single().Top1Agreement!.Value);
        Assert.HasCount(6, result.Report.Layers);
        Assert.IsTrue(File.Exists(result.QuantizedModel) && File.Exists(result.RecordFile) && File.Exists(result.ReportFile));
    }

    [TestMethod]
    public void Onnx_runtime_fuses_the_model_into_int8_kernels()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(DigitsRequest(temp.Path) with { EvaluationData = null, EvaluationLabels = null }, new CollectingLog());
        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        var summary = string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Assert.AreEqual(4, ops.GetValueOrDefault("QLinearConv"), summary);
        Assert.IsFalse(ops.ContainsKey("Conv") || ops.ContainsKey("FusedConv"), $"a float Conv is left: {summary}");
        Assert.AreEqual(2, ops.GetValueOrDefault("QGemm"), summary);
        Assert.AreEqual(1, ops.GetValueOrDefault("QLinearAdd"), summary);
        Assert.IsFalse(ops.ContainsKey("Relu"), $"Relu should be folded into the quantized ranges: {summary}");
    }

    [TestMethod]
    public void Two_runs_write_byte_identical_models_and_records()
    {
        using var first = new TempFolder();
        using var second = new TempFolder();
        var a = QuantizationJob.Run(DigitsRequest(first.Path) with { EvaluationData = null, EvaluationLabels = null }, new CollectingLog());
        var b = QuantizationJob.Run(DigitsRequest(second.Path) with { EvaluationData = null, EvaluationLabels = null }, new CollectingLog());
        CollectionAssert.AreEqual(File.ReadAllBytes(a.QuantizedModel), File.ReadAllBytes(b.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(a.RecordFile), File.ReadAllBytes(b.RecordFile));
    }

    /// <summary>
    /// An AMCT record holds factors, not biases. With the calibration data beside it, a record rebuilds the
    /// bias-corrected model byte for byte (the correction runs again on the same data). Without data neither bias
    /// correction nor weight rounding by the inputs (both on by default) can run: the model is the uncorrected one with
    /// its weights rounded to nearest, and the job says so in an info line and the report,
    /// not a warning (a warnings-as-errors build of a record must not fail).
    /// </summary>
    [TestMethod]
    public void A_record_rebuilds_the_corrected_model_with_the_calibration_data_and_the_uncorrected_one_without()
    {
        using var temp = new TempFolder();
        var request = DigitsRequest(temp.File("calibrated")) with { EvaluationData = null, EvaluationLabels = null };
        var calibrated = QuantizationJob.Run(request, new CollectingLog());
        var uncorrected = QuantizationJob.Run(request with
        {
            OutputDirectory = temp.File("plain"), BiasCorrection = false, WeightRounding = Amct.Engine.Quantization.Rounding.WeightRounding.Nearest,
        }, new CollectingLog());
        var withData = QuantizationJob.Run(request with { OutputDirectory = temp.File("with-data"), RecordInput = calibrated.RecordFile },
            new CollectingLog());
        var log = new CollectingLog();
        var withoutData = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel,
            RecordInput = calibrated.RecordFile,
            OutputDirectory = temp.File("without-data"),
            MeasureLatency = false, // AMCT4030 on a timing would be a warning this test does not mean
        }, log);

        StringAssert.StartsWith(withData.Report.Calibration.Source, "record ");
        Assert.AreEqual(6, withData.Report.BiasCorrection!.Layers);
        CollectionAssert.AreEqual(File.ReadAllBytes(calibrated.QuantizedModel), File.ReadAllBytes(withData.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(calibrated.RecordFile), File.ReadAllBytes(withData.RecordFile));

        Assert.AreEqual(0, withoutData.Report.Calibration.Samples);
        CollectionAssert.AreEqual(File.ReadAllBytes(uncorrected.QuantizedModel), File.ReadAllBytes(withoutData.QuantizedModel));
        CollectionAssert.AreNotEqual(File.ReadAllBytes(calibrated.QuantizedModel), File.ReadAllBytes(withoutData.QuantizedModel),
            "bias correction must change the calibrated model, or this test proves nothing");
        StringAssert.Contains(withoutData.Report.BiasCorrection!.NotRunBecause, "no calibration data");
        StringAssert.Contains(withoutData.Report.WeightRounding!.NotRunBecause, "no calibration data");
        Assert.AreEqual(1, log.Messages.Count(m => m.StartsWith("bias correction: not run: an AMCT record holds factors, not biases", StringComparison.Ordinal)),
            string.Join("\n", log.Messages));
        Assert.IsEmpty(log.Warnings, string.Join("\n", log.Warnings));
        StringAssert.Contains(File.ReadAllText(withoutData.Report.HumanReport!), "| bias correction | not run: an AMCT record holds factors");
    }

    [TestMethod]
    public void The_report_carries_settings_layers_tensors_and_timings()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(DigitsRequest(temp.Path) with { EvaluationData = null, EvaluationLabels = null }, new CollectingLog());
        using var json = JsonDocument.Parse(File.ReadAllText(result.ReportFile));
        var root = json.RootElement;
        Assert.AreEqual(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.AreEqual("ifmr", root.GetProperty("settings").GetProperty("method").GetString());
        Assert.AreEqual(200, root.GetProperty("calibration").GetProperty("samples").GetInt64());
        var layer = root.GetProperty("layers")[0];
        Assert.IsGreaterThan(20.0, layer.GetProperty("weightSqnrDb").GetDouble());
        var tensor = root.GetProperty("tensors")[0];
        Assert.IsGreaterThan(0.0, tensor.GetProperty("scale").GetDouble());
        Assert.IsGreaterThan(0.0, root.GetProperty("timings").GetProperty("totalSeconds").GetDouble());
        Assert.HasCount(5, root.GetProperty("foldedActivations").EnumerateArray().ToList());
    }

    [TestMethod]
    public void The_record_is_readable_amct_text_with_one_entry_per_layer()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(DigitsRequest(temp.Path) with { EvaluationData = null, EvaluationLabels = null }, new CollectingLog());
        var records = RecordReader.Read(result.RecordFile);
        var layers = records.Where(r => r.IsTensorQuantize != true).ToList();
        Assert.HasCount(6, layers);
        Assert.IsTrue(layers.All(r => r.ScaleD > 0 && r.OffsetD is >= -128 and <= 127 && r.ScaleW.Count > 0 && r.OffsetW.All(o => o == 0)));
        Assert.HasCount(16, layers[0].ScaleW, "per-channel weights of the first Conv");
    }
}

/// <summary>SqueezeNet's structure (Concat, MaxPool, GlobalAveragePool, an opset-7 original) through the pipeline.</summary>
[TestClass]
public sealed class SqueezenetStructureTests
{
    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    [DataRow("squeezenet/squeezenet1.1.onnx")]
    [DataRow("squeezenet/squeezenet1.1-opset7.onnx")]
    public void Every_conv_concat_and_pool_runs_as_int8_with_no_float_island(string model)
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = SharedData.PathOf(model),
            CalibrationData = SharedData.PathOf("squeezenet/test_data_set_0"),
            OutputDirectory = temp.Path,
            // Every layer int8: under the default Balanced, the stem (conv1 and the squeeze layer after its MaxPool)
            // goes float when it times faster so, which depends on the machine and its load.
            OptimizeFor = Amct.Engine.Latency.OptimizeFor.Size,
        }, new CollectingLog());

        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        var summary = string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Assert.AreEqual(26, ops.GetValueOrDefault("QLinearConv"), summary);
        Assert.IsFalse(ops.ContainsKey("Conv") || ops.ContainsKey("FusedConv") || ops.ContainsKey("Relu"), summary);
        Assert.AreEqual(1, ops.GetValueOrDefault("QLinearGlobalAveragePool"), summary);
        // Concat inputs share the output's factors, so ONNX Runtime concatenates int8 data directly.
        Assert.AreEqual(8, ops.GetValueOrDefault("Concat") + ops.GetValueOrDefault("QLinearConcat"), summary);
        // Between the first and the last quantized op only the int8 ops and the final float tail remain:
        // one QuantizeLinear at the input, one DequantizeLinear before the float Softmax.
        Assert.AreEqual(1, ops.GetValueOrDefault("QuantizeLinear"), summary);
        Assert.AreEqual(1, ops.GetValueOrDefault("DequantizeLinear"), summary);
        Assert.IsLessThan(0.3, (double)result.Report.Model.OutputBytes / result.Report.Model.InputBytes);
    }
}
