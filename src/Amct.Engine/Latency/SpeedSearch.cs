using System.Diagnostics;
using System.Globalization;
using Amct.Engine.Pipeline;

namespace Amct.Engine.Latency;

/// <summary>What the speed search decided for one layer group.</summary>
public enum SpeedDecision
{
    /// <summary>Kept in float: faster so in both timings, and the gate passes.</summary>
    KeptFloat,

    /// <summary>Int8 kept: float was not faster by the rule's margin.</summary>
    NotFaster,

    /// <summary>Int8 kept: the first timing cleared the margin, the second did not.</summary>
    NotRepeated,

    /// <summary>Int8 kept: faster in float, but the accuracy gate fails with it.</summary>
    FailsGate,

    /// <summary>Not tried: the search's time budget was spent.</summary>
    NotTried,
}

/// <summary>What the speed search did with one layer group: its timings against the configuration of the time.</summary>
public sealed record SpeedGroupReport(string Kind, IReadOnlyList<string> Layers, SpeedDecision Decision, string Outcome,
    LatencyComparison? Timing, LatencyComparison? Confirmation)
{
    public bool KeptFloat => Decision == SpeedDecision.KeptFloat;

    /// <summary>The measured end-to-end gain of keeping this group in float (the smaller of the two timings'), e.g. 0.18 = 18 % faster.</summary>
    public double? Gain => KeptFloat && Timing is { } t && Confirmation is { } c
        ? Math.Round(1.0 - Math.Max(t.WorseRatio, c.WorseRatio), 3)
        : null;
}

/// <summary>The outcome of the speed search: every group tried, the layers kept float for speed, and the rule used.</summary>
public sealed record SpeedChoiceReport(OptimizeFor OptimizeFor, string Rule, IReadOnlyList<SpeedGroupReport> Groups,
    IReadOnlyList<string> KeptFloat, bool BudgetSpent, double SearchSeconds)
{
    /// <summary>The memo file this choice was read from (an earlier search on this machine), or null when it was measured now.</summary>
    public string? RememberedIn { get; init; }

    /// <summary>The reports' summary line: the rule, the search's time, and where a remembered choice came from.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"{Rule}. The search took {SearchSeconds:0.00} s{(BudgetSpent ? ", and its time budget ran out" : "")}.") +
        (RememberedIn is { } memo
            ? $" This choice was measured by an earlier build on this machine and remembered in {memo} (delete it, or set " +
              $"{SpeedChoiceMemo.FolderVariable}=off, to time again)."
            : "");
}

/// <summary>
/// Latency-aware layer choice: starting from the configuration the accuracy gate settled, try each layer group in
/// float in turn (fixed order) and keep it float when <see cref="SpeedRule"/> takes the candidate in two independent
/// timings and the accuracy gate still passes. Each step builds on the previous choice, so the search times at most
/// two candidates per group. Then a combination step (<see cref="SpeedCombination"/>) tries the groups that gained
/// too little alone together. The search stops trying candidates once its time budget is spent.
/// </summary>
internal static class SpeedSearch
{
    /// <param name="groups">The int8 layer groups, in the order to try them.</param>
    /// <param name="rule">When a candidate is taken.</param>
    /// <param name="time">Times the configuration with the second set of layers in float against the one with the first.</param>
    /// <param name="passesGate">Whether the configuration with these layers in float passes the accuracy gate.</param>
    /// <param name="budgetMs">No new group is tried once the search has run this long.</param>
    public static SpeedChoiceReport Run(
        IReadOnlyList<LayerGroup> groups,
        SpeedRule rule,
        Func<IReadOnlyList<string>, IReadOnlyList<string>, LatencyComparison> time,
        Func<IReadOnlyList<string>, bool> passesGate,
        double budgetMs,
        IJobLog log)
    {
        var watch = Stopwatch.StartNew();
        var kept = new List<string>();
        var reports = new List<SpeedGroupReport>();
        var budgetSpent = false;
        foreach (var group in groups)
        {
            if (watch.Elapsed.TotalMilliseconds >= budgetMs)
            {
                budgetSpent = true;
                reports.Add(new SpeedGroupReport(group.Kind, group.Layers, SpeedDecision.NotTried, "not tried: the search's time budget was spent", null, null));
                continue;
            }
            var candidate = kept.Concat(group.Layers).ToList();
            var report = Try(group, kept, candidate, rule, time, passesGate);
            if (report.KeptFloat)
            {
                kept = candidate;
            }
            reports.Add(report);
            log.Info($"speed: {group.Kind} ×{group.Layers.Count}: {report.Outcome}");
        }
        if (!budgetSpent)
        {
            (kept, budgetSpent) = SpeedCombination.Run(groups, reports, kept, rule, time, passesGate,
                () => watch.Elapsed.TotalMilliseconds >= budgetMs, log);
        }
        return new SpeedChoiceReport(rule.Mode, rule.Describe(), reports, kept, budgetSpent, Math.Round(watch.Elapsed.TotalSeconds, 3));
    }

    private static SpeedGroupReport Try(LayerGroup group, IReadOnlyList<string> kept, IReadOnlyList<string> candidate,
        SpeedRule rule, Func<IReadOnlyList<string>, IReadOnlyList<string>, LatencyComparison> time,
        Func<IReadOnlyList<string>, bool> passesGate)
    {
        var c = CultureInfo.InvariantCulture;
        var first = time(kept, candidate);
        if (!rule.Takes(first))
        {
            return new SpeedGroupReport(group.Kind, group.Layers, SpeedDecision.NotFaster,
                string.Create(c, $"int8 kept: in float {Describe(first, rule)}, the rule needs ≤ {rule.MaxRatio:0.00}×"), first, null);
        }
        var second = time(kept, candidate);
        if (!rule.Takes(second))
        {
            return new SpeedGroupReport(group.Kind, group.Layers, SpeedDecision.NotRepeated,
                string.Create(c, $"int8 kept: in float {Describe(first, rule)}, but {Describe(second, rule)} when timed again"), first, second);
        }
        if (!passesGate(candidate))
        {
            return new SpeedGroupReport(group.Kind, group.Layers, SpeedDecision.FailsGate,
                string.Create(c, $"int8 kept: in float {Describe(first, rule)}, but the accuracy gate fails"), first, second);
        }
        return new SpeedGroupReport(group.Kind, group.Layers, SpeedDecision.KeptFloat,
            string.Create(c, $"kept in float: {Describe(first, rule)} and {Describe(second, rule)} end to end"), first, second);
    }

    /// <summary>e.g. <c>0.82× (4.10 → 3.36 ms)</c>.</summary>
    internal static string Describe(LatencyComparison timing, SpeedRule rule) => string.Create(CultureInfo.InvariantCulture,
        $"{rule.EffectiveRatio(timing):0.00}× ({timing.CurrentMs:0.###} → {timing.CandidateMs:0.###} ms)");
}
