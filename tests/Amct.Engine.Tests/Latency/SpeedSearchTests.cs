using Amct.Engine.Latency;
using Amct.Engine.Pipeline;

namespace Amct.Engine.Tests.Latency;

/// <summary>The speed search's choices from given timings: no clock is involved, so every choice is deterministic.</summary>
[TestClass]
public sealed class SpeedSearchTests
{
    private static readonly LayerGroup Depthwise = new(LayerGroups.Depthwise, ["dw0", "dw1"]);
    private static readonly LayerGroup Pointwise = new(LayerGroups.Pointwise, ["pw0", "pw1"]);
    private static readonly LayerGroup Standard = new(LayerGroups.Standard, ["conv0"]);

    [TestMethod]
    public void A_group_faster_in_float_in_both_timings_is_kept_float_and_the_next_is_timed_against_that_choice()
    {
        var timings = new List<(IReadOnlyList<string> Current, IReadOnlyList<string> Candidate)>();
        var report = SpeedSearch.Run([Depthwise, Pointwise], SpeedRule.Balanced, (current, candidate) =>
        {
            timings.Add((current, candidate));
            // Depthwise float: 10 ms -> 7 ms. Pointwise float on top: 7 ms -> 9 ms.
            return candidate.Contains("pw0") ? new LatencyComparison(7, 9, 9.0 / 7, 5) : new LatencyComparison(10, 7, 0.7, 5);
        }, _ => true, 60_000, new CollectingLog());

        CollectionAssert.AreEqual(new[] { "dw0", "dw1" }, report.KeptFloat.ToArray());
        Assert.AreEqual(SpeedDecision.KeptFloat, report.Groups[0].Decision);
        Assert.AreEqual(0.3, report.Groups[0].Gain!.Value, 1e-9);
        Assert.AreEqual(SpeedDecision.NotFaster, report.Groups[1].Decision);
        Assert.IsNull(report.Groups[1].Gain);
        Assert.HasCount(3, timings, "the depthwise group twice (a timing and its confirmation), the pointwise group once");
        CollectionAssert.AreEqual(new[] { "dw0", "dw1" }, timings[2].Current.ToArray(), "timed against the choice so far");
        StringAssert.Contains(report.Groups[0].Outcome, "0.70× (10 → 7 ms)");
    }

    [TestMethod]
    public void A_gain_that_does_not_repeat_in_the_confirming_timing_keeps_int8()
    {
        var calls = 0;
        var report = SpeedSearch.Run([Depthwise], SpeedRule.Balanced,
            (_, _) => ++calls == 1 ? new LatencyComparison(10, 8, 0.8, 5) : new LatencyComparison(10, 9.5, 0.95, 5),
            _ => true, 60_000, new CollectingLog());

        Assert.IsEmpty(report.KeptFloat);
        Assert.AreEqual(SpeedDecision.NotRepeated, report.Groups[0].Decision);
    }

    [TestMethod]
    public void A_faster_configuration_that_fails_the_accuracy_gate_is_not_taken()
    {
        var report = SpeedSearch.Run([Depthwise], SpeedRule.Latency, (_, _) => new LatencyComparison(10, 5, 0.5, 5),
            _ => false, 60_000, new CollectingLog());

        Assert.IsEmpty(report.KeptFloat);
        Assert.AreEqual(SpeedDecision.FailsGate, report.Groups[0].Decision);
    }

    [TestMethod]
    public void A_median_ratio_the_median_times_do_not_bear_out_is_no_gain()
    {
        // A busy machine: the per-round ratios say 0.56, the median times 15.6 -> 15.1 ms (0.97).
        LatencyComparison noisy = new(15.634, 15.093, 0.56, 15);
        Assert.AreEqual(15.093 / 15.634, SpeedRule.Balanced.EffectiveRatio(noisy), 1e-12);
        Assert.IsFalse(SpeedRule.Balanced.Takes(noisy));
    }

    [TestMethod]
    public void Differences_within_onnx_runtimes_per_run_overhead_count_as_none()
    {
        // A tiny model: 0.03 ms -> 0.01 ms is a ratio of 0.33 but says nothing about the kernels.
        LatencyComparison tiny = new(0.03, 0.01, 0.33, 15);
        var balanced = SpeedSearch.Run([Depthwise], SpeedRule.Balanced, (_, _) => tiny, _ => true, 60_000, new CollectingLog());
        var accuracy = SpeedSearch.Run([Depthwise], SpeedRule.Accuracy, (_, _) => tiny, _ => true, 60_000, new CollectingLog());

        Assert.IsEmpty(balanced.KeptFloat, "Balanced needs a clear gain");
        CollectionAssert.AreEqual(new[] { "dw0", "dw1" }, accuracy.KeptFloat.ToArray(), "Accuracy keeps float where int8 is not clearly faster");
    }

    [TestMethod]
    public void The_modes_differ_only_in_the_margin()
    {
        LatencyComparison slightlyFaster = new(10, 9.5, 0.95, 5);
        Assert.IsFalse(SpeedRule.Balanced.Takes(slightlyFaster));
        Assert.IsTrue(SpeedRule.Latency.Takes(slightlyFaster));
        Assert.IsTrue(SpeedRule.Accuracy.Takes(new LatencyComparison(10, 10.4, 1.04, 5)));
        Assert.IsFalse(SpeedRule.Accuracy.Takes(new LatencyComparison(10, 12, 1.2, 5)));
        Assert.IsNull(SpeedRule.For(OptimizeFor.Size));
    }

    [TestMethod]
    public void No_group_is_tried_once_the_time_budget_is_spent()
    {
        var calls = 0;
        var report = SpeedSearch.Run([Depthwise, Pointwise], SpeedRule.Balanced,
            (_, _) => { calls++; return new LatencyComparison(10, 5, 0.5, 5); }, _ => true, 0, new CollectingLog());

        Assert.AreEqual(0, calls);
        Assert.IsTrue(report.BudgetSpent);
        Assert.IsTrue(report.Groups.All(g => g.Decision == SpeedDecision.NotTried));
    }

    [TestMethod]
    public void Groups_that_gain_too_little_alone_are_kept_float_together_when_the_combination_clears_the_margin()
    {
        var timings = new List<IReadOnlyList<string>>();
        // Alone: depthwise 0.95, pointwise 0.93 (Balanced needs 0.90). Together: 0.80.
        var report = SpeedSearch.Run([Depthwise, Pointwise], SpeedRule.Balanced, (_, candidate) =>
        {
            timings.Add(candidate);
            return Timing(candidate.Count == 4 ? 0.80 : candidate.Contains("dw0") ? 0.95 : 0.93);
        }, _ => true, 60_000, new CollectingLog());

        CollectionAssert.AreEqual(new[] { "pw0", "pw1", "dw0", "dw1" }, report.KeptFloat.ToArray(), "the better single group first");
        Assert.IsTrue(report.Groups.All(g => g.KeptFloat));
        Assert.AreEqual(0.2, report.Groups[0].Gain!.Value, 1e-9);
        StringAssert.Contains(report.Groups[0].Outcome, $"kept in float together ({LayerGroups.Pointwise} + {LayerGroups.Depthwise}): 0.80×");
        // Two singles; then pointwise alone again, both, and the confirmation of both.
        Assert.HasCount(5, timings);
        CollectionAssert.AreEqual(new[] { "pw0", "pw1" }, timings[2].ToArray());
    }

    [TestMethod]
    public void The_combination_grows_only_while_each_group_added_lowers_the_time()
    {
        var timings = new List<IReadOnlyList<string>>();
        // Alone: standard 0.92, depthwise 0.94, pointwise 0.96. Standard + depthwise 0.85; all three 0.88.
        var report = SpeedSearch.Run([Depthwise, Pointwise, Standard], SpeedRule.Balanced, (_, candidate) =>
        {
            timings.Add(candidate);
            return Timing(candidate.Count switch
            {
                5 => 0.88,
                3 => 0.85,
                _ => candidate.Contains("conv0") ? 0.92 : candidate.Contains("dw0") ? 0.94 : 0.96,
            });
        }, _ => true, 60_000, new CollectingLog());

        CollectionAssert.AreEqual(new[] { "conv0", "dw0", "dw1" }, report.KeptFloat.ToArray());
        Assert.AreEqual(SpeedDecision.NotFaster, report.Groups[1].Decision, "pointwise made it slower again");
        Assert.IsTrue(report.Groups[0].KeptFloat && report.Groups[2].KeptFloat);
        Assert.HasCount(3 + 3 + 1, timings, "three singles, three cumulative sets, one confirmation");
    }

    [TestMethod]
    public void Groups_slower_in_float_alone_are_not_combined()
    {
        var calls = 0;
        var report = SpeedSearch.Run([Depthwise, Pointwise, Standard], SpeedRule.Balanced,
            (_, candidate) => { calls++; return Timing(candidate.Contains("pw0") ? 0.95 : 1.2); }, _ => true, 60_000, new CollectingLog());

        Assert.IsEmpty(report.KeptFloat);
        Assert.AreEqual(3, calls, "one group near the margin is no combination");
    }

    [TestMethod]
    public void A_combination_that_fails_the_gate_or_its_confirmation_keeps_int8_and_says_so()
    {
        var gate = SpeedSearch.Run([Depthwise, Pointwise], SpeedRule.Balanced,
            (_, candidate) => Timing(candidate.Count == 4 ? 0.8 : 0.95), candidate => candidate.Count < 4, 60_000, new CollectingLog());
        var calls = 0;
        var confirmation = SpeedSearch.Run([Depthwise, Pointwise], SpeedRule.Balanced,
            (_, candidate) => Timing(candidate.Count < 4 ? 0.95 : ++calls == 1 ? 0.8 : 0.97), _ => true, 60_000, new CollectingLog());

        Assert.IsEmpty(gate.KeptFloat);
        StringAssert.Contains(gate.Groups[0].Outcome, "but the accuracy gate fails");
        Assert.IsEmpty(confirmation.KeptFloat);
        StringAssert.Contains(confirmation.Groups[1].Outcome, "but 0.97× (10 → 9.7 ms) when timed again");
    }

    [TestMethod]
    public void The_same_timings_give_the_same_choice_whatever_the_group_order_of_equal_ratios()
    {
        static SpeedChoiceReport Search() => SpeedSearch.Run([Depthwise, Pointwise, Standard], SpeedRule.Balanced,
            (_, candidate) => Timing(candidate.Count == 1 || candidate.Count == 2 ? 0.94 : 0.85), _ => true, 60_000, new CollectingLog());

        var first = Search();
        var second = Search();

        CollectionAssert.AreEqual(first.KeptFloat.ToArray(), second.KeptFloat.ToArray());
        CollectionAssert.AreEqual(new[] { "dw0", "dw1", "pw0", "pw1" }, first.KeptFloat.ToArray(), "ties in group order");
    }

    /// <summary>A timing whose candidate runs <paramref name="ratio"/> times the current 10 ms.</summary>
    private static LatencyComparison Timing(double ratio) => new(10, 10 * ratio, ratio, 5);
}
