namespace Amct.Engine.Latency;

/// <summary>One timing round: the float and the int8 model each run once on the same batch.</summary>
internal readonly record struct LatencyRound(double FloatMs, double Int8Ms);

/// <summary>
/// How many timing rounds to run: at least <see cref="MinRounds"/> (a median needs a few), at most
/// <see cref="MaxRounds"/> (a small model is done in a few milliseconds), and no new round once it would likely end
/// past <see cref="BudgetMs"/> (a large model stops after its minimum rounds instead of slowing every build).
/// </summary>
internal sealed record LatencyBudget(int MinRounds, int MaxRounds, double BudgetMs)
{
    public static LatencyBudget Default { get; } = new(3, 15, 2000);

    /// <summary>Whether to run another round after <paramref name="rounds"/> rounds that took <paramref name="elapsedMs"/>.</summary>
    public bool Continue(int rounds, double elapsedMs)
    {
        if (rounds < MinRounds)
        {
            return true;
        }
        // The next round is assumed to take as long as the rounds so far took on average.
        return rounds < MaxRounds && elapsedMs + (elapsedMs / rounds) <= BudgetMs;
    }
}

/// <summary>The figures of a timing: the median of per-round ratios, which machine noise shared by a round cancels in.</summary>
internal static class LatencyStatistics
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            throw new ArgumentException("no values", nameof(values));
        }
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>int8 ÷ float: the median over rounds of each round's own ratio.</summary>
    public static double MedianRatio(IReadOnlyList<LatencyRound> rounds) =>
        Median(rounds.Select(r => r.Int8Ms / Math.Max(r.FloatMs, 1e-9)));
}
