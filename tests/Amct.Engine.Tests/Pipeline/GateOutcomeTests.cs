using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// What a gate leaves behind and says (issues 11 and 12) on the real digits CNN (float and int8 top-1 99.40 %): a
/// failure keeps only <c>&lt;name&gt;.quant.failed.md</c>, which the error links to; advice fits the settings; a report
/// without thresholds says the gate is not set.
/// </summary>
[TestClass]
public sealed class GateOutcomeTests
{
    private static QuantizeRequest Digits(TempFolder temp, GateThresholds gate) => AccuracyGateTests.Digits(temp, gate);

    [TestMethod]
    public void A_failed_gate_replaces_every_output_with_the_failed_report_and_a_later_pass_removes_that()
    {
        using var temp = new TempFolder();
        QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 35 }), new CollectingLog());

        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 90 }) with { AutoFallback = false }, new CollectingLog()));

        CollectionAssert.AreEqual(new[] { "digits-cnn.quant.failed.md" }, Entries(temp.File("out")),
            "no model, record, JSON or Markdown report an up-to-date check could take as current");
        StringAssert.Contains(error.Message, $"Details: {temp.File("out/digits-cnn.quant.failed.md")}");
        StringAssert.Contains(File.ReadAllText(temp.File("out/digits-cnn.quant.failed.md")), "| gate | failed: ");

        QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 35 }), new CollectingLog());
        CollectionAssert.AreEqual(new[] { "digits-cnn.int8.onnx", "digits-cnn.quant.html", "digits-cnn.quant.json", "digits-cnn.quant.md", "digits-cnn.record.txt" },
            Entries(temp.File("out")), "the stale failed report goes with the next good set");
    }

    [TestMethod]
    public void With_the_fallback_off_the_error_gives_no_fallback_advice()
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 90 }) with { AutoFallback = false }, new CollectingLog()));

        Assert.AreEqual(ErrorCodes.SqnrTooLow, error.Code);
        Assert.DoesNotContain("MaxFallbackLayers", error.Message);
        StringAssert.Contains(error.Message, "turn AutoFallback on");
    }

    [TestMethod]
    public void With_the_fallback_capped_below_the_layer_count_the_error_advises_raising_the_cap()
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 90 }) with { MaxFallbackLayers = 1 }, new CollectingLog()));

        Assert.AreEqual(ErrorCodes.FallbackExhausted, error.Code);
        StringAssert.Contains(error.Message, "Raise MaxFallbackLayers");
    }

    [TestMethod]
    public void When_the_float_model_misses_MinAccuracy_the_error_says_so_and_no_fallback_is_searched()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Digits(temp, new GateThresholds { MinAccuracy = 0.999 }), log));

        Assert.AreEqual(ErrorCodes.AccuracyBelowMinimum, error.Code, "not AMCT4020: no fallback ran");
        StringAssert.Contains(error.Message, "The float model itself scores top-1 99.40 %");
        Assert.DoesNotContain("MaxFallbackLayers", error.Message);
        Assert.IsFalse(log.Messages.Any(m => m.StartsWith("ranking", StringComparison.Ordinal) || m.StartsWith("fallback:", StringComparison.Ordinal)),
            string.Join("\n", log.Messages));
        StringAssert.Contains(File.ReadAllText(temp.File("out/digits-cnn.quant.failed.md")), "top-1 | int8 99.40 %, float 99.40 %");
    }

    [TestMethod]
    public void Without_thresholds_the_report_says_the_gate_is_not_set()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(Digits(temp, new GateThresholds()), new CollectingLog());

        var report = File.ReadAllText(result.Report.HumanReport!);
        StringAssert.Contains(report, "| gate | not set |");
        Assert.DoesNotContain("passed", report);
    }

    [TestMethod]
    public void Without_thresholds_an_output_far_off_the_float_one_fails_the_quality_floor()
    {
        // Evaluating on samples 40 times brighter than the calibration data saturates every activation range.
        using var temp = new TempFolder();
        var bright = temp.File("bright.npy");
        var bytes = File.ReadAllBytes(TestData.PathOf("digits-cnn/test_x.npy"));
        var dataStart = 10 + BitConverter.ToUInt16(bytes, 8); // .npy version 1: magic, version, header length, header
        var pixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(bytes.AsSpan(dataStart));
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] *= 40;
        }
        File.WriteAllBytes(bright, bytes);
        var request = Digits(temp, new GateThresholds()) with { EvaluationData = bright, EvaluationLabels = null };

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(request, new CollectingLog()));

        Assert.AreEqual(ErrorCodes.CosineBelowFloor, error.Code, error.Message);
        StringAssert.Contains(error.Message, "below the quality floor 0.9");
        Assert.DoesNotContain("MaxFallbackLayers", error.Message, "no threshold advice for the floor");
        StringAssert.Contains(File.ReadAllText(temp.File("out/digits-cnn.quant.failed.md")), "| gate | not set; quality floor failed: ");
        Assert.IsFalse(File.Exists(temp.File("out/digits-cnn.int8.onnx")));

        var accepted = QuantizationJob.Run(request with { QualityFloor = false }, new CollectingLog());
        Assert.IsTrue(File.Exists(accepted.QuantizedModel), "QualityFloor=false accepts the model");
        StringAssert.Contains(File.ReadAllText(accepted.Report.HumanReport!), "| gate | not set |");
    }

    [TestMethod]
    public void An_int8_model_larger_than_the_float_one_fails_the_quality_floor_and_the_report_says_larger()
    {
        using var temp = new TempFolder();
        var model = temp.File("gemm.onnx");
        File.WriteAllBytes(model, Google.Protobuf.MessageExtensions.ToByteArray(ModelBuilder.Gemm()));
        NpyWriter.Write(temp.File("x.npy"), [8, 4], Enumerable.Range(0, 32).Select(i => (i % 9 - 4) * 0.5f).ToArray());
        var request = new QuantizeRequest { ModelPath = model, CalibrationData = temp.File("x.npy"), OutputDirectory = temp.File("out"), MeasureLatency = false };

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(request, new CollectingLog()));

        Assert.AreEqual(ErrorCodes.Int8LargerThanFloat, error.Code, error.Message);
        Assert.AreEqual(model, error.Target);
        StringAssert.Contains(error.Message, "is larger than the float one");
        StringAssert.Contains(error.Message, $"Details: {temp.File("out/gemm.quant.failed.md")}");
        StringAssert.Contains(File.ReadAllText(temp.File("out/gemm.quant.failed.md")), "x larger) |");

        var accepted = QuantizationJob.Run(request with { QualityFloor = false }, new CollectingLog());
        StringAssert.Contains(File.ReadAllText(accepted.Report.HumanReport!), "x larger) |", "never \"0.2x smaller\"");
    }

    [TestMethod]
    public void Labels_without_evaluation_data_that_do_not_fit_the_calibration_data_are_an_error_naming_both_files()
    {
        // 497 test labels, but without EvaluationData the job evaluates on the 200 calibration samples.
        using var temp = new TempFolder();
        var request = Digits(temp, new GateThresholds { MinAccuracy = 0.9 }) with { EvaluationData = null };

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(request, new CollectingLog()));

        Assert.AreEqual(ErrorCodes.LabelsTooMany, error.Code, error.Message);
        Assert.AreEqual(TestData.PathOf("digits-cnn/test_y.npy"), error.Target);
        StringAssert.Contains(error.Message, $"holds 497 labels but {TestData.DigitsCalibration} holds 200 samples");
        StringAssert.Contains(error.Message, "without EvaluationData, the labels are for the calibration data");
    }

    private static string[] Entries(string folder) =>
        Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
}
