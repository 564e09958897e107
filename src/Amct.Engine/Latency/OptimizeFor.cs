namespace Amct.Engine.Latency;

/// <summary>What the build optimizes the int8 model for, beyond passing the accuracy gate.</summary>
public enum OptimizeFor
{
    /// <summary>Every layer int8, except the layer groups measured clearly faster in float (<see cref="SpeedRule.Balanced"/>).</summary>
    Balanced,

    /// <summary>Every layer int8 whatever the timing: the smallest model.</summary>
    Size,

    /// <summary>As <see cref="Balanced"/>, with a smaller margin: a layer group goes float for a smaller measured gain.</summary>
    Latency,

    /// <summary>A layer group stays int8 only where int8 is clearly faster; elsewhere float keeps its full precision.</summary>
    Accuracy,
}

/// <summary>
/// When a candidate (one more layer group in float) is taken over the current configuration: its end-to-end time ÷ the
/// current one's must be at most <see cref="MaxRatio"/> in two independent timings. Differences under
/// <see cref="EqualWithinMs"/> count as none (ratio 1): at that scale both runs are ONNX Runtime's per-run overhead.
/// The margins make a timing-based choice reproducible: a ratio that clears 0.90 twice does not flip on the next build.
/// </summary>
internal sealed record SpeedRule(OptimizeFor Mode, double MaxRatio, double EqualWithinMs)
{
    /// <summary>The per-run overhead below which two timings are taken as equal (also the AMCT4030 floor).</summary>
    public const double OverheadMs = 0.05;

    public static SpeedRule Balanced { get; } = new(OptimizeFor.Balanced, 0.90, OverheadMs);
    public static SpeedRule Latency { get; } = new(OptimizeFor.Latency, 0.97, OverheadMs);
    public static SpeedRule Accuracy { get; } = new(OptimizeFor.Accuracy, 1.05, OverheadMs);

    /// <summary>The rule of <paramref name="mode"/>; null for <see cref="OptimizeFor.Size"/> (no search).</summary>
    public static SpeedRule? For(OptimizeFor mode) => mode switch
    {
        OptimizeFor.Balanced => Balanced,
        OptimizeFor.Latency => Latency,
        OptimizeFor.Accuracy => Accuracy,
        _ => null,
    };

    /// <summary>
    /// The ratio the rule judges: the larger of the median per-round ratio and the ratio of the median times (on a busy
    /// machine the two can disagree, and a gain must show in both), or 1 when the times differ by less than the overhead.
    /// </summary>
    public double EffectiveRatio(LatencyComparison timing) =>
        Math.Abs(timing.CurrentMs - timing.CandidateMs) < EqualWithinMs
            ? 1.0
            : timing.WorseRatio;

    public bool Takes(LatencyComparison timing) => EffectiveRatio(timing) <= MaxRatio;

    /// <summary>The rule in words, for the report.</summary>
    public string Describe() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"a layer group goes float when two independent timings both give candidate/current ≤ {MaxRatio:0.00} (the larger of " +
        $"the median per-round ratio and the ratio of median times; differences under {EqualWithinMs:0.##} ms count as none), " +
        $"in a fixed group order, then the groups that gained less alone added together while each lowers the time, if the accuracy gate still passes");
}

/// <summary>One timing of a candidate configuration against the current one (medians of interleaved rounds).</summary>
public sealed record LatencyComparison(double CurrentMs, double CandidateMs, double Ratio, int Rounds)
{
    /// <summary>The larger of the median per-round ratio and the ratio of the median times.</summary>
    public double WorseRatio => Math.Max(Ratio, CandidateMs / Math.Max(CurrentMs, 1e-9));

    public static LatencyComparison From(Formats.LatencyReport report) =>
        new(report.FloatMs, report.Int8Ms, report.Ratio, report.Rounds);
}
