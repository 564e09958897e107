using Amct.Engine.Evaluation;

namespace Amct.Engine.Tests.Evaluation;

/// <summary>
/// The gate exactly at each threshold, with hand-picked values that are exact in binary (0.75 − 0.5 is exactly 0.25):
/// a value equal to its threshold passes, the next representable value past it fails with the threshold's code.
/// </summary>
[TestClass]
public sealed class GateAtThresholdTests
{
    /// <summary>Float top-1 0.75, int8 top-1 0.5 (drop 0.25, relative drop 1/3); agreement 0.75, cosine 0.96, SQNR 30 dB.</summary>
    private static readonly EvaluationResult Evaluation = new(
        8,
        [new OutputAgreement("scores", 8, 0.75, 0.96, 0.5, 3, 30.0, 0.125)],
        "scores",
        new Accuracy(8, 0.75, 1.0),
        new Accuracy(8, 0.5, 1.0),
        TimeSpan.Zero,
        TimeSpan.Zero);

    public static IEnumerable<object[]> AtThreshold =>
    [
        // name, the threshold exactly at the value, the same threshold one step stricter, the code a miss reports
        ["MinAccuracy", new GateThresholds { MinAccuracy = 0.5 }, new GateThresholds { MinAccuracy = Math.BitIncrement(0.5) }, ErrorCodes.AccuracyBelowMinimum, 0.5],
        ["MaxAccuracyDrop", new GateThresholds { MaxAccuracyDrop = 0.25 }, new GateThresholds { MaxAccuracyDrop = Math.BitDecrement(0.25) }, ErrorCodes.AccuracyDropTooLarge, 0.25],
        ["MaxRelativeAccuracyDrop", new GateThresholds { MaxRelativeAccuracyDrop = 0.25 / 0.75 }, new GateThresholds { MaxRelativeAccuracyDrop = Math.BitDecrement(0.25 / 0.75) }, ErrorCodes.RelativeAccuracyDropTooLarge, 0.25 / 0.75],
        ["MinTop1Agreement", new GateThresholds { MinTop1Agreement = 0.75 }, new GateThresholds { MinTop1Agreement = Math.BitIncrement(0.75) }, ErrorCodes.Top1AgreementTooLow, 0.75],
        ["MinCosineSimilarity", new GateThresholds { MinCosineSimilarity = 0.96 }, new GateThresholds { MinCosineSimilarity = Math.BitIncrement(0.96) }, ErrorCodes.CosineSimilarityTooLow, 0.96],
        ["MinSqnrDb", new GateThresholds { MinSqnrDb = 30.0 }, new GateThresholds { MinSqnrDb = Math.BitIncrement(30.0) }, ErrorCodes.SqnrTooLow, 30.0],
    ];

    [TestMethod]
    [DynamicData(nameof(AtThreshold))]
    public void A_value_exactly_at_its_threshold_passes_and_one_step_past_fails(string name, GateThresholds atValue,
        GateThresholds stricter, string code, double value)
    {
        var verdict = AccuracyGate.Check(Evaluation, atValue);
        Assert.IsTrue(verdict.Passed, $"{name}: {string.Join("; ", verdict.Failures.Select(f => f.Message))}");
        Assert.IsEmpty(verdict.Failures);

        var missed = AccuracyGate.Check(Evaluation, stricter);
        Assert.IsFalse(missed.Passed, name);
        var failure = missed.Failures.Single();
        Assert.AreEqual(code, failure.Code, name);
        Assert.AreEqual(value, failure.Value, name);
    }

    [TestMethod]
    public void Every_missed_threshold_is_reported_once_in_a_fixed_order()
    {
        var all = new GateThresholds
        {
            MinAccuracy = 0.6, MaxAccuracyDrop = 0.2, MaxRelativeAccuracyDrop = 0.3, MinTop1Agreement = 0.8,
            MinCosineSimilarity = 0.97, MinSqnrDb = 31,
        };
        var verdict = AccuracyGate.Check(Evaluation, all);
        CollectionAssert.AreEqual(
            new[] { ErrorCodes.AccuracyBelowMinimum, ErrorCodes.AccuracyDropTooLarge, ErrorCodes.RelativeAccuracyDropTooLarge,
                ErrorCodes.Top1AgreementTooLow, ErrorCodes.CosineSimilarityTooLow, ErrorCodes.SqnrTooLow },
            verdict.Failures.Select(f => f.Code).ToArray());
        StringAssert.Contains(verdict.Failures[1].Message, "dropped 25.00 points (float 75.00 %, int8 50.00 %), more than MaxAccuracyDrop 20.00");
    }

    [TestMethod]
    public void A_better_quantized_accuracy_is_a_negative_drop_that_meets_a_zero_maximum()
    {
        var improved = Evaluation with { QuantizedAccuracy = new Accuracy(8, 0.875, 1.0) };
        Assert.IsTrue(AccuracyGate.Check(improved, new GateThresholds { MaxAccuracyDrop = 0, MaxRelativeAccuracyDrop = 0 }).Passed);
    }
}
