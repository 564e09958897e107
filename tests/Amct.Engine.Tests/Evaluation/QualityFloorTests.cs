using Amct.Engine.Evaluation;

namespace Amct.Engine.Tests.Evaluation;

/// <summary>The quality floor's three checks, each at its boundary, and what a user threshold replaces.</summary>
[TestClass]
public sealed class QualityFloorTests
{
    private static EvaluationResult Cosine(double cosine) => new(
        8, [new OutputAgreement("scores", 8, 0.75, cosine, cosine, 0, 10.0, 0.5)], null, null, null, TimeSpan.Zero, TimeSpan.Zero);

    private static IReadOnlyList<GateFailure> Check(EvaluationResult? evaluation = null, GateThresholds? gate = null,
        long floatBytes = 1000, long int8Bytes = 300, int kept = 0, int of = 10) =>
        QualityFloor.Check(evaluation, gate ?? new GateThresholds(), floatBytes, int8Bytes, (kept, of));

    [TestMethod]
    public void A_good_model_passes()
    {
        Assert.IsEmpty(Check(Cosine(0.9)));
        Assert.IsEmpty(Check(evaluation: null, floatBytes: 300, int8Bytes: 300, kept: 5, of: 10), "equal size, exactly half kept float");
    }

    [TestMethod]
    public void A_cosine_below_the_floor_is_AMCT4012_naming_the_output_and_the_way_out()
    {
        var failure = Check(Cosine(0.36)).Single();
        Assert.AreEqual(ErrorCodes.CosineBelowFloor, failure.Code);
        StringAssert.Contains(failure.Message, "output 'scores': mean cosine similarity with the float model is 0.3600, below the quality floor 0.9");
        StringAssert.Contains(failure.Message, "QualityFloor=false (--no-quality-floor)");
    }

    [TestMethod]
    public void A_MinCosineSimilarity_the_user_set_replaces_the_floors_cosine()
    {
        Assert.IsEmpty(Check(Cosine(0.5), new GateThresholds { MinCosineSimilarity = 0.4 }));
    }

    [TestMethod]
    public void An_int8_model_larger_than_the_float_one_is_AMCT4013_with_both_sizes()
    {
        var failure = Check(floatBytes: 117, int8Bytes: 702).Single();
        Assert.AreEqual(ErrorCodes.Int8LargerThanFloat, failure.Code);
        StringAssert.Contains(failure.Message, "the int8 model (702 bytes) is larger than the float one (117 bytes)");
    }

    [TestMethod]
    public void More_than_half_the_layers_kept_float_is_AMCT4014()
    {
        var failure = Check(kept: 14, of: 26).Single();
        Assert.AreEqual(ErrorCodes.MostLayersKeptFloat, failure.Code);
        StringAssert.Contains(failure.Message, "kept 14 of 26 layers in float");
        CollectionAssert.AreEquivalent(new[] { ErrorCodes.CosineBelowFloor, ErrorCodes.Int8LargerThanFloat, ErrorCodes.MostLayersKeptFloat },
            Check(Cosine(0.1), floatBytes: 1, int8Bytes: 2, kept: 2, of: 3).Select(f => f.Code).ToList());
    }
}
