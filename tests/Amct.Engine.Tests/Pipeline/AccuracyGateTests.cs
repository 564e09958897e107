using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>The accuracy gate and the automatic fallback on the real digits CNN (int8 top-1 99.40 %, SQNR ≈ 42.7 dB).</summary>
[TestClass]
public sealed class AccuracyGateTests
{
    /// <summary>The digits CNN with evaluation data, labels and the given thresholds, writing to out/.</summary>
    internal static QuantizeRequest Digits(TempFolder temp, GateThresholds gate) => new()
    {
        ModelPath = TestData.DigitsModel,
        CalibrationData = TestData.DigitsCalibration,
        EvaluationData = TestData.PathOf("digits-cnn/test_x.npy"),
        EvaluationLabels = TestData.PathOf("digits-cnn/test_y.npy"),
        OutputDirectory = temp.File("out"),
        Gate = gate,
    };

    public static IEnumerable<object[]> Thresholds =>
    [
        // name, a threshold plain int8 meets, one it misses, the code the miss reports
        ["MinAccuracy", new GateThresholds { MinAccuracy = 0.99 }, new GateThresholds { MinAccuracy = 0.999 }, ErrorCodes.AccuracyBelowMinimum],
        ["MaxAccuracyDrop", new GateThresholds { MaxAccuracyDrop = 0.005 }, new GateThresholds { MaxAccuracyDrop = -0.001 }, ErrorCodes.AccuracyDropTooLarge],
        ["MaxRelativeAccuracyDrop", new GateThresholds { MaxRelativeAccuracyDrop = 0.005 }, new GateThresholds { MaxRelativeAccuracyDrop = -0.001 }, ErrorCodes.RelativeAccuracyDropTooLarge],
        ["MinTop1Agreement", new GateThresholds { MinTop1Agreement = 0.99 }, new GateThresholds { MinTop1Agreement = 1.01 }, ErrorCodes.Top1AgreementTooLow],
        ["MinCosineSimilarity", new GateThresholds { MinCosineSimilarity = 0.999 }, new GateThresholds { MinCosineSimilarity = 1.01 }, ErrorCodes.CosineSimilarityTooLow],
        ["MinSqnrDb", new GateThresholds { MinSqnrDb = 35 }, new GateThresholds { MinSqnrDb = 90 }, ErrorCodes.SqnrTooLow],
    ];

    [TestMethod]
    [DynamicData(nameof(Thresholds))]
    public void Each_threshold_passes_when_met_and_fails_with_its_code_when_missed(string name, GateThresholds met, GateThresholds missed, string code)
    {
        using var temp = new TempFolder();
        var passed = QuantizationJob.Run(Digits(temp, met), new CollectingLog());
        Assert.IsTrue(passed.Report.Gate!.Passed, name);
        Assert.IsTrue(File.Exists(passed.QuantizedModel));

        using var failing = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Digits(failing, missed) with { AutoFallback = false }, new CollectingLog()));
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual(TestData.DigitsModel, error.Target);
        StringAssert.Contains(error.Message, name);
        Assert.IsFalse(File.Exists(failing.File("out/digits-cnn.int8.onnx")), "no model after a failed gate");
        Assert.IsFalse(File.Exists(failing.File("out/digits-cnn.quant.md")), "no report an up-to-date check takes for an output");
        Assert.IsTrue(File.Exists(failing.File("out/digits-cnn.quant.failed.md")), "the human report explains the failure");
        StringAssert.Contains(error.Message, failing.File("out/digits-cnn.quant.failed.md"), "the error links to it");
    }

    [TestMethod]
    public void Fallback_reaches_a_threshold_plain_quantization_misses_without_recalibrating()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var result = QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 46 }), log);

        var fallback = result.Report.Fallback!;
        Assert.IsTrue(fallback.Passed);
        Assert.IsTrue(result.Report.Gate!.Passed);
        Assert.HasCount(6, fallback.Ranking);
        Assert.IsNotEmpty(fallback.Reverted);
        CollectionAssert.AreEquivalent(fallback.Reverted.ToList(), result.Report.Skipped.Select(s => s.Name).ToList());
        Assert.IsTrue(result.Report.Skipped.All(s => s.Reason.Contains("fallback", StringComparison.Ordinal)));
        Assert.IsGreaterThanOrEqualTo(46.0, result.Report.Evaluation!.Outputs[0].SqnrDb);
        // The ranking puts the most sensitive layers first and the reverted ones are the first of the ranking.
        CollectionAssert.AreEqual(fallback.Ranking.Take(fallback.Reverted.Count).Select(r => r.Layer).ToList(), fallback.Reverted.ToList());
        Assert.AreEqual(200, result.Report.Calibration.Samples, "calibrated once");
        StringAssert.Contains(File.ReadAllText(result.Report.HumanReport!), "## Fallback");
    }

    [TestMethod]
    public void A_fallback_that_cannot_pass_reports_the_best_reached()
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 90 }) with { MaxFallbackLayers = 2 }, new CollectingLog()));
        Assert.AreEqual(ErrorCodes.FallbackExhausted, error.Code);
        StringAssert.Contains(error.Message, "the best reached was");
        StringAssert.Contains(error.Message, "with 2 float layers");
        Assert.IsFalse(File.Exists(temp.File("out/digits-cnn.int8.onnx")));
    }

    [TestMethod]
    public void Warning_mode_keeps_the_outputs_and_reports_warnings()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var result = QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 90 }) with
        {
            AccuracyFailureIsWarning = true,
            AutoFallback = false,
            MeasureLatency = false, // its warning depends on timing; this test counts warnings
        }, log);
        Assert.IsFalse(result.Report.Gate!.Passed);
        Assert.AreEqual(ErrorCodes.SqnrTooLow, log.Warnings.Single().Code);
        Assert.IsTrue(File.Exists(result.QuantizedModel));
    }

    [TestMethod]
    public void A_failed_gate_after_a_good_build_removes_the_old_outputs_and_fails_again_on_rebuild()
    {
        using var temp = new TempFolder();
        var good = QuantizationJob.Run(Digits(temp, new GateThresholds { MinSqnrDb = 35 }), new CollectingLog());
        Assert.IsTrue(File.Exists(good.QuantizedModel));

        var strict = Digits(temp, new GateThresholds { MinSqnrDb = 90 }) with { AutoFallback = false };
        Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(strict, new CollectingLog()));
        Assert.IsFalse(File.Exists(good.QuantizedModel), "the earlier int8 model must not look up to date");
        Assert.IsFalse(File.Exists(good.RecordFile));
        Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(strict, new CollectingLog()), "the rebuild fails again");
    }

    [TestMethod]
    public void Without_evaluation_data_the_calibration_data_is_used_and_marked_in_sample()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(Digits(temp, new GateThresholds()) with { EvaluationData = null, EvaluationLabels = null }, new CollectingLog());
        Assert.IsTrue(result.Report.EvaluationInSample);
        Assert.AreEqual(200, result.Report.Evaluation!.Samples);
        StringAssert.Contains(File.ReadAllText(result.Report.HumanReport!), "in-sample");
    }

    [TestMethod]
    public void Accuracy_thresholds_without_labels_are_an_error_saying_what_to_do()
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Digits(temp, new GateThresholds { MaxAccuracyDrop = 0.01 }) with { EvaluationLabels = null }, new CollectingLog()));
        Assert.AreEqual(ErrorCodes.AccuracyNeedsLabels, error.Code);
        StringAssert.Contains(error.Message, "MinTop1Agreement");
    }
}
