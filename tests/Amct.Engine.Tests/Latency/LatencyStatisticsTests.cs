using Amct.Engine.Latency;

namespace Amct.Engine.Tests.Latency;

/// <summary>The arithmetic of a latency figure and when the timing stops; no clock is involved.</summary>
[TestClass]
public sealed class LatencyStatisticsTests
{
    [TestMethod]
    public void The_ratio_is_the_median_of_per_round_ratios_not_the_ratio_of_medians()
    {
        // Round ratios 0.5, 0.5, 2.0: median 0.5. Medians of the times (10 and 10) would give 1.0.
        LatencyRound[] rounds = [new(20, 10), new(10, 5), new(5, 10)];
        Assert.AreEqual(0.5, LatencyStatistics.MedianRatio(rounds), 1e-12);
    }

    [TestMethod]
    public void A_median_of_an_even_count_is_the_mean_of_the_middle_two()
    {
        Assert.AreEqual(2.5, LatencyStatistics.Median([4, 1, 3, 2]), 1e-12);
        Assert.AreEqual(3.0, LatencyStatistics.Median([5, 3, 1]), 1e-12);
    }

    [TestMethod]
    public void One_noisy_round_does_not_move_the_ratio()
    {
        LatencyRound[] rounds = [new(10, 6), new(10, 6.2), new(10, 5.8), new(10, 60), new(200, 12)];
        Assert.AreEqual(0.6, LatencyStatistics.MedianRatio(rounds), 1e-12);
    }

    [TestMethod]
    public void No_rounds_is_an_argument_error()
    {
        Assert.ThrowsExactly<ArgumentException>(() => LatencyStatistics.MedianRatio([]));
    }

    [TestMethod]
    public void The_minimum_rounds_run_even_past_the_budget()
    {
        var budget = new LatencyBudget(3, 15, 2000);
        Assert.IsTrue(budget.Continue(0, 0));
        Assert.IsTrue(budget.Continue(1, 5000));
        Assert.IsTrue(budget.Continue(2, 10000));
        Assert.IsFalse(budget.Continue(3, 15000));
    }

    [TestMethod]
    public void A_fast_model_stops_at_the_maximum_rounds()
    {
        var budget = new LatencyBudget(3, 15, 2000);
        Assert.IsTrue(budget.Continue(14, 14));
        Assert.IsFalse(budget.Continue(15, 15));
    }

    [TestMethod]
    public void No_round_starts_that_would_likely_end_past_the_budget()
    {
        var budget = new LatencyBudget(3, 15, 2000);
        // 4 rounds of 400 ms: a fifth would end at 2000 ms, a sixth at 2400 ms.
        Assert.IsTrue(budget.Continue(4, 1600));
        Assert.IsFalse(budget.Continue(5, 2000 + 1));
    }
}
