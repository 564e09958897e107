using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// The fallback search with evaluations made up by hand, so the ranking, the binary search's steps and the threshold
/// decisions can be worked out exactly.
/// </summary>
[TestClass]
public sealed class FallbackSearchTests
{
    // Sensitivity (SQNR of the model with only that layer quantized): the lower, the more sensitive.
    private static readonly Dictionary<string, double> OnlyLayerSqnr = new()
    {
        ["conv_a"] = 20, ["conv_b"] = 10, ["conv_c"] = 30, ["conv_d"] = 10, ["gemm_e"] = 25,
    };

    private static readonly (string Name, string OpType)[] Layers =
        [("conv_a", "Conv"), ("conv_b", "Conv"), ("conv_c", "Conv"), ("conv_d", "Conv"), ("gemm_e", "Gemm")];

    private static EvaluationResult Evaluation(double top1, double sqnr) => new(
        8, [new OutputAgreement("scores", 8, top1, 0.99, 0.9, 0, sqnr, 0.1)], "scores",
        new Accuracy(8, 1.0, 1.0), new Accuracy(8, top1, 1.0), TimeSpan.Zero, TimeSpan.Zero);

    /// <summary>Each layer kept in float wins 0.125 of top-1 back from 0.5 (exact in binary).</summary>
    private static (EvaluationResult, GateVerdict) Reverting(IReadOnlyList<string> reverted, GateThresholds gate)
    {
        var evaluation = Evaluation(0.5 + (0.125 * reverted.Count), 30);
        return (evaluation, AccuracyGate.Check(evaluation, gate));
    }

    private static FallbackReport Run(GateThresholds gate, int cap = 5) => FallbackSearch.Run(
        Layers, layer => Evaluation(0.5, OnlyLayerSqnr[layer]), reverted => Reverting(reverted, gate), cap, new CollectingLog());

    [TestMethod]
    public void Layers_rank_by_sqnr_with_ties_broken_by_name()
    {
        var report = Run(new GateThresholds { MaxAccuracyDrop = 0.25 });
        CollectionAssert.AreEqual(new[] { "conv_b", "conv_d", "conv_a", "gemm_e", "conv_c" }, report.Ranking.Select(r => r.Layer).ToArray());
        CollectionAssert.AreEqual(new[] { 10.0, 10.0, 20.0, 25.0, 30.0 }, report.Ranking.Select(r => r.SqnrDb).ToArray());
    }

    [TestMethod]
    public void A_drop_exactly_at_the_maximum_passes_so_the_search_stops_at_two_layers()
    {
        // Float top-1 1.0. With 2 layers in float int8 top-1 is 0.75: drop 0.25, exactly MaxAccuracyDrop, which passes.
        // Binary search over [1, 5]: 3 passes, 1 fails (drop 0.375), 2 passes → keep 2.
        var report = Run(new GateThresholds { MaxAccuracyDrop = 0.25 });
        CollectionAssert.AreEqual(new[] { 3, 1, 2 }, report.Steps.Select(s => s.RevertedCount).ToArray());
        CollectionAssert.AreEqual(new[] { true, false, true }, report.Steps.Select(s => s.Passed).ToArray());
        Assert.IsTrue(report.Passed);
        CollectionAssert.AreEqual(new[] { "conv_b", "conv_d" }, report.Reverted.ToArray());
        Assert.AreEqual(0.75, report.Steps[2].Top1);
    }

    [TestMethod]
    public void One_step_stricter_needs_a_third_layer()
    {
        var report = Run(new GateThresholds { MaxAccuracyDrop = Math.BitDecrement(0.25) });
        CollectionAssert.AreEqual(new[] { 3, 1, 2 }, report.Steps.Select(s => s.RevertedCount).ToArray());
        CollectionAssert.AreEqual(new[] { "conv_b", "conv_d", "conv_a" }, report.Reverted.ToArray());
        StringAssert.Contains(report.Steps[2].Failures.Single(), "more than MaxAccuracyDrop");
    }

    [TestMethod]
    public void A_threshold_the_cap_cannot_reach_fails_and_keeps_nothing_in_float()
    {
        // Cap 2: at most 0.75 top-1, a minimum of 0.875 is out of reach. Binary search over [1, 2]: 1 fails, 2 fails.
        var report = Run(new GateThresholds { MinAccuracy = 0.875 }, cap: 2);
        Assert.IsFalse(report.Passed);
        CollectionAssert.AreEqual(new[] { 1, 2 }, report.Steps.Select(s => s.RevertedCount).ToArray());
        Assert.IsEmpty(report.Reverted);
    }
}
