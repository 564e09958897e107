using Amct.Engine.Quantization.Refinement;

namespace Amct.Engine.Tests.Quantization.Refinement;

/// <summary>The coordinate descent behind RangeRefinement, on scores given as functions of the groups' steps.</summary>
[TestClass]
public sealed class NetworkRangeSearchTests
{
    [TestMethod]
    public void Each_group_moves_step_by_step_to_the_best_score_and_stops_at_the_bound()
    {
        // Best at group 3: two steps tighter; group 5: one step wider; group 8: ten steps tighter (beyond the bound); group 7
        // does not matter. The common step goes to the bound first, then each group moves from there.
        var optimum = new Dictionary<int, int> { [3] = -2, [5] = 1, [8] = -10 };
        double Score(IReadOnlyDictionary<int, int> steps) =>
            -optimum.Sum(o => Math.Pow(steps.GetValueOrDefault(o.Key) - o.Value, 2));

        var result = NetworkRangeSearch.Run([3, 5, 7, 8], Score, rounds: 2);

        Assert.AreEqual(-2, result.Steps[3]);
        Assert.AreEqual(1, result.Steps[5]);
        Assert.AreEqual(-NetworkRangeSearch.MaxSteps, result.Steps[8]);
        Assert.AreEqual(-NetworkRangeSearch.MaxSteps, result.Steps[7], "a group no step of its own helps keeps the common step");
        Assert.AreEqual(Score(new Dictionary<int, int>()), result.ScoreBefore);
        Assert.AreEqual(Score(result.Steps), result.ScoreAfter);
        Assert.AreEqual(Math.Pow(NetworkRangeSearch.Ratio, -2), result.ScaleOf(3), 1e-12);
        Assert.AreEqual(1.0, new RangeRefinement(new Dictionary<int, int>(), 0, 0, 1).ScaleOf(7));
    }

    [TestMethod]
    public void A_gain_below_the_noise_floor_changes_nothing_and_one_round_suffices_when_nothing_changed()
    {
        var calls = 0;
        double Score(IReadOnlyDictionary<int, int> steps)
        {
            calls++;
            return steps.Values.Sum() * -NetworkRangeSearch.MinGain / 2; // each tighter step gains half the floor
        }

        var result = NetworkRangeSearch.Run([0, 1], Score, rounds: 3);

        Assert.IsEmpty(result.Steps);
        Assert.AreEqual(7, calls, "the calibrated model, one common step each way, then one step each way per group, in one round");
        Assert.AreEqual(calls, result.Evaluations);
    }

    [TestMethod]
    public void A_common_step_is_found_where_no_single_group_s_step_helps()
    {
        // Only all three groups finer together help (a chain of copies on one grid): the best is two steps tighter.
        static double Score(IReadOnlyDictionary<int, int> steps)
        {
            var common = Enumerable.Range(0, 3).Max(g => steps.GetValueOrDefault(g));
            return -Math.Pow(common + 2, 2);
        }

        var result = NetworkRangeSearch.Run([0, 1, 2], Score, rounds: 2);

        Assert.IsTrue(Enumerable.Range(0, 3).All(g => result.Steps[g] == -2), string.Join(", ", result.Steps));
    }

    [TestMethod]
    public void A_second_round_revisits_a_group_whose_best_step_moved_with_a_later_one()
    {
        // Group 0's best depends on group 1's: tighter only pays once group 1 is wider.
        static double Score(IReadOnlyDictionary<int, int> steps)
        {
            var (a, b) = (steps.GetValueOrDefault(0), steps.GetValueOrDefault(1));
            return -Math.Pow(b - 2, 2) - Math.Pow(a + b, 2);
        }

        var one = NetworkRangeSearch.Run([0, 1], Score, rounds: 1);
        var two = NetworkRangeSearch.Run([0, 1], Score, rounds: 3);

        Assert.IsFalse(one.Steps.ContainsKey(0), "in the first round group 0 is visited before group 1 moves");
        Assert.AreEqual(1, one.Steps[1]);
        Assert.AreEqual(-1, two.Steps[0]);
        Assert.IsGreaterThan(one.ScoreAfter, two.ScoreAfter);
    }
}
