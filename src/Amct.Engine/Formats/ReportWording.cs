using System.Globalization;
using Amct.Engine.Latency;

namespace Amct.Engine.Formats;

/// <summary>Sentences both human reports (Markdown and HTML) write the same way, from the same report data.</summary>
internal static class ReportWording
{
    /// <summary>
    /// The gate's verdict, or null when nothing was evaluated. Evaluated without thresholds, "passed" would read as a
    /// verdict that was never given: it says "not set", and any failure is the quality floor's.
    /// </summary>
    public static string? Gate(QuantReport r)
    {
        if (r.Gate is { Thresholds.Any: false } unset)
        {
            return unset.Failures.Count == 0 ? "not set"
                : $"not set; quality floor failed{(unset.FailureIsWarning ? " (reported as a warning)" : "")}: {string.Join("; ", unset.Failures.Select(f => f.Message))}";
        }
        if (r.Gate is { } gate)
        {
            var verdict = gate.Passed ? "passed" : gate.FailureIsWarning ? "failed (reported as a warning)" : "failed";
            return $"{verdict}{(gate.Failures.Count > 0 ? ": " + string.Join("; ", gate.Failures.Select(f => f.Message)) : "")}";
        }
        return null;
    }

    /// <summary>e.g. <c>int8/float latency 0.62× (float 1.2 ms, int8 0.75 ms; batch of 1, median of 20 rounds, 1 thread)</c>.</summary>
    public static string Latency(LatencyReport latency) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{latency.Describe()} (float {latency.FloatMs:0.###} ms, int8 {latency.Int8Ms:0.###} ms; batch of {latency.BatchSize}, median of {latency.Rounds} rounds, {latency.Threads} thread{(latency.Threads == 1 ? "" : "s")})");

    /// <summary>e.g. <c>4.21 s (calibration 1.02 s, evaluation 0.50 s, fallback 0.00 s)</c>.</summary>
    public static string Time(Timings t) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{t.TotalSeconds:0.00} s (calibration {t.CalibrateSeconds:0.00} s, evaluation {t.EvaluateSeconds:0.00} s, fallback {t.FallbackSeconds:0.00} s)");

    /// <summary>The ops ONNX Runtime runs in the int8 model, e.g. <c>QLinearConv ×4, QGemm ×2</c>.</summary>
    public static string Ops(IReadOnlyList<OpCount> ops) => FusedOps.Describe(ops);

    /// <summary>What the fallback kept: the layers at 16-bit input, or those in float, or that nothing passed.</summary>
    public static string FallbackOutcome(Pipeline.FallbackReport fallback) => fallback switch
    {
        { Passed: false } => "No configuration within the cap passed.",
        { Int16Layers.Count: > 0 } => "Kept int8 with 16-bit activation input (no layer in float): " +
            string.Join(", ", fallback.Int16Layers.Select(l => $"`{l}`")) + ".",
        _ => "Kept in float: " + string.Join(", ", fallback.Reverted.Select(l => $"`{l}`")) + ".",
    };

    /// <summary>How a fallback step took its layers out of int8: <c>16-bit input</c> or <c>float</c>.</summary>
    public static string FallbackStepKind(Pipeline.FallbackStep step) => step.SixteenBit ? "16-bit input" : "float";
}
