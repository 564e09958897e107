using System.Globalization;
using Amct.Engine.Pipeline;

namespace Amct.Engine.Latency;

/// <summary>
/// The speed search's combination step. Layer groups that ran faster in float alone, but by less than the rule's margin
/// (or not again in the confirming timing), may clear it together: each float group removes its own quantize and
/// dequantize work, and groups that meet remove the conversions between them. Greedy and bounded: those groups, best
/// single ratio first (ties in group order), are added one at a time to the configuration the single-group pass chose,
/// each cumulative set timed against that configuration, for as long as each addition lowers the measured ratio. The
/// best set of two or more groups is taken when a second timing confirms it under the rule and the accuracy gate
/// passes. That is at most one timing per group plus one confirmation; given the same timings, the same choice.
/// </summary>
internal static class SpeedCombination
{
    /// <param name="groups">The groups, in the search's order.</param>
    /// <param name="reports">The single-group pass's report per group (same order); the outcomes of combined groups are updated.</param>
    /// <param name="kept">The layers the single-group pass kept float.</param>
    /// <param name="rule">When a candidate is taken.</param>
    /// <param name="time">Times the configuration with the second set of layers in float against the one with the first.</param>
    /// <param name="passesGate">Whether the configuration with these layers in float passes the accuracy gate.</param>
    /// <param name="outOfTime">Whether the search's time budget is spent (no new candidate is timed then).</param>
    /// <param name="log">Where each timing is told.</param>
    /// <returns>The layers kept float after the step, and whether the budget stopped it.</returns>
    public static (List<string> Kept, bool BudgetSpent) Run(
        IReadOnlyList<LayerGroup> groups,
        List<SpeedGroupReport> reports,
        List<string> kept,
        SpeedRule rule,
        Func<IReadOnlyList<string>, IReadOnlyList<string>, LatencyComparison> time,
        Func<IReadOnlyList<string>, bool> passesGate,
        Func<bool> outOfTime,
        IJobLog log)
    {
        var near = Enumerable.Range(0, groups.Count)
            .Where(i => reports[i].Decision is SpeedDecision.NotFaster or SpeedDecision.NotRepeated
                && reports[i].Timing is { } t && rule.EffectiveRatio(t) < 1.0)
            .OrderBy(i => rule.EffectiveRatio(reports[i].Timing!)).ThenBy(i => i)
            .ToList();
        if (near.Count < 2)
        {
            return (kept, false);
        }

        var budgetSpent = false;
        var combination = new List<string>(kept);
        var (bestCount, best) = (0, (LatencyComparison?)null);
        for (var k = 0; k < near.Count; k++)
        {
            if (outOfTime())
            {
                budgetSpent = true;
                break;
            }
            combination.AddRange(groups[near[k]].Layers);
            var timing = time(kept, combination.ToList());
            log.Info(string.Create(CultureInfo.InvariantCulture,
                $"speed: {Kinds(groups, near.Take(k + 1))} together in float: {SpeedSearch.Describe(timing, rule)}"));
            if (best is not null && rule.EffectiveRatio(timing) >= rule.EffectiveRatio(best))
            {
                break;
            }
            (bestCount, best) = (k + 1, timing);
        }
        if (bestCount < 2 || best is null)
        {
            // The best group alone was judged by the single-group pass already.
            return (kept, budgetSpent);
        }

        var chosen = near.Take(bestCount).ToList();
        var candidate = kept.Concat(chosen.SelectMany(i => groups[i].Layers)).ToList();
        var together = Kinds(groups, chosen);
        var c = CultureInfo.InvariantCulture;
        string outcome;
        var second = rule.Takes(best) ? time(kept, candidate) : null;
        if (!rule.Takes(best))
        {
            outcome = string.Create(c, $"; together ({together}): {SpeedSearch.Describe(best, rule)}, the rule needs ≤ {rule.MaxRatio:0.00}×");
        }
        else if (!rule.Takes(second!))
        {
            outcome = string.Create(c, $"; together ({together}): {SpeedSearch.Describe(best, rule)}, but {SpeedSearch.Describe(second!, rule)} when timed again");
        }
        else if (!passesGate(candidate))
        {
            outcome = string.Create(c, $"; together ({together}): {SpeedSearch.Describe(best, rule)}, but the accuracy gate fails");
        }
        else
        {
            var taken = string.Create(c, $"kept in float together ({together}): {SpeedSearch.Describe(best, rule)} and {SpeedSearch.Describe(second!, rule)} end to end");
            foreach (var i in chosen)
            {
                reports[i] = reports[i] with { Decision = SpeedDecision.KeptFloat, Outcome = taken, Timing = best, Confirmation = second };
            }
            log.Info($"speed: {taken}");
            return (candidate, budgetSpent);
        }
        foreach (var i in chosen)
        {
            reports[i] = reports[i] with { Outcome = reports[i].Outcome + outcome };
        }
        log.Info($"speed: int8 kept{outcome}");
        return (kept, budgetSpent);
    }

    /// <summary>e.g. <c>depthwise Conv + pointwise (1×1) Conv</c>.</summary>
    private static string Kinds(IReadOnlyList<LayerGroup> groups, IEnumerable<int> indexes) =>
        string.Join(" + ", indexes.Select(i => groups[i].Kind));
}
