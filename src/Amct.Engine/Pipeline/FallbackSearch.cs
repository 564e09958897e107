using System.Diagnostics;
using Amct.Engine.Evaluation;

namespace Amct.Engine.Pipeline;

/// <summary>How sensitive one layer is: the model output's SQNR when only this layer is quantized.</summary>
public sealed record LayerSensitivity(string Layer, string OpType, double SqnrDb, double CosineMean);

/// <summary>
/// One step of the fallback search: which layers left int8 (kept in float, or with <see cref="SixteenBit"/> their activation
/// input at 16 bits and their weights int8), and what the evaluation gave.
/// </summary>
public sealed record FallbackStep(int RevertedCount, IReadOnlyList<string> Reverted, bool Passed, double? Top1,
    double? Top1Agreement, double CosineMean, double SqnrDb, IReadOnlyList<string> Failures)
{
    /// <summary>True for a step of the 16-bit search: the layers kept int8 weights and read 16-bit activations.</summary>
    public bool SixteenBit { get; init; }
}

/// <summary>Whether the layers that pass the gate at 16 bits keep 16 bits, timed against the same layers in float.</summary>
/// <param name="Keep">True: ship the 16-bit configuration.</param>
/// <param name="Outcome">Why, in words, for the reports.</param>
/// <param name="Timing">The float configuration (current) against the 16-bit one (candidate); null when not timed.</param>
/// <param name="Int16Ops">The ops ONNX Runtime runs for the 16-bit model (its optimized graph), when counted.</param>
public sealed record Int16Decision(bool Keep, string Outcome, Latency.LatencyComparison? Timing, IReadOnlyList<Formats.OpCount>? Int16Ops);

/// <summary>The outcome of the fallback: the ranking, every step, and the configuration kept.</summary>
public sealed record FallbackReport(IReadOnlyList<LayerSensitivity> Ranking, IReadOnlyList<FallbackStep> Steps,
    IReadOnlyList<string> Reverted, bool Passed, double RankingSeconds, double SearchSeconds)
{
    /// <summary>The layers kept int8 with 16-bit activation input (the fallback's first step), when that passed and was kept.</summary>
    public IReadOnlyList<string> Int16Layers { get; init; } = [];

    /// <summary>The activation tensors stored at 16 bits in the model that ships (the groups those layers read).</summary>
    public IReadOnlyList<string> Int16Tensors { get; init; } = [];

    /// <summary>What became of the 16-bit step (kept, slower than float, failed the gate, off); null when it was not tried.</summary>
    public Int16Decision? SixteenBitStep { get; init; }
}

/// <summary>
/// Automatic fallback: rank the quantized layers once by how much each alone hurts the output (the model with only that
/// layer quantized, on the samples the fully quantized model gets most wrong), then binary-search the smallest number
/// of most-sensitive layers to keep in float for the gate to pass — every step reusing the calibration statistics, never
/// calibrating again (AMCT's automatic mode re-calibrates the whole model at every step). With a 16-bit step the same
/// search first runs with those layers int8 but reading 16-bit activations; where that passes and ONNX Runtime runs it
/// no slower than the same layers in float, no layer is given up to float.
/// </summary>
public static class FallbackSearch
{
    /// <param name="layers">The quantized layers (name, op type).</param>
    /// <param name="onlyLayer">Evaluates, on the ranking samples, the model with only the given layer quantized.</param>
    /// <param name="reverting">Evaluates, on all evaluation samples, the model with the given layers in float, and
    /// checks the gate.</param>
    /// <param name="cap">The most layers that may be kept in float (or moved to 16 bits).</param>
    /// <param name="sixteenBit">The 16-bit step, or null to go straight to float: <c>Widening</c> evaluates the model with the
    /// given layers reading 16-bit activations and checks the gate; <c>Choose</c> decides whether a passing set keeps 16
    /// bits (timed against the same layers in float).</param>
    public static FallbackReport Run(
        IReadOnlyList<(string Name, string OpType)> layers,
        Func<string, EvaluationResult> onlyLayer,
        Func<IReadOnlyList<string>, (EvaluationResult Evaluation, GateVerdict Verdict)> reverting,
        int cap,
        IJobLog log,
        (Func<IReadOnlyList<string>, (EvaluationResult Evaluation, GateVerdict Verdict)> Widening,
            Func<IReadOnlyList<string>, Int16Decision> Choose)? sixteenBit = null)
    {
        var watch = Stopwatch.StartNew();
        var ranking = new List<LayerSensitivity>();
        foreach (var (name, opType) in layers)
        {
            var output = onlyLayer(name).Outputs[0];
            ranking.Add(new LayerSensitivity(name, opType, Math.Round(output.SqnrDb, 3), Math.Round(output.CosineMean, 6)));
            log.Progress("ranking layers", ranking.Count, layers.Count);
        }
        // Most sensitive first: lowest SQNR; ties broken by name so the order is deterministic.
        ranking = ranking.OrderBy(r => r.SqnrDb).ThenBy(r => r.Layer, StringComparer.Ordinal).ToList();
        var rankingSeconds = watch.Elapsed.TotalSeconds;
        watch.Restart();

        var steps = new List<FallbackStep>();
        FallbackStep Try(int count, bool wide)
        {
            var reverted = ranking.Take(count).Select(r => r.Layer).ToList();
            var (evaluation, verdict) = wide ? sixteenBit!.Value.Widening(reverted) : reverting(reverted);
            var primary = evaluation.Outputs.FirstOrDefault(o => o.Output == evaluation.LabeledOutput) ?? evaluation.Outputs[0];
            var step = new FallbackStep(count, reverted, verdict.Passed, evaluation.QuantizedAccuracy?.Top1, primary.Top1Agreement,
                primary.CosineMean, primary.SqnrDb, verdict.Failures.Select(f => f.Message).ToList()) { SixteenBit = wide };
            steps.Add(step);
            log.Info($"fallback: {count} layer(s) {(wide ? "with 16-bit activations" : "in float")} -> {(verdict.Passed ? "passes" : "fails")}");
            return step;
        }

        cap = Math.Min(cap, ranking.Count);
        Int16Decision? decision = null;
        if (sixteenBit is { } step16 && Smallest(cap, count => Try(count, wide: true)) is { } wide)
        {
            decision = step16.Choose(wide.Reverted);
            log.Info($"fallback: {decision.Outcome}");
            if (decision.Keep)
            {
                return new FallbackReport(ranking, steps, [], true, Math.Round(rankingSeconds, 3), Math.Round(watch.Elapsed.TotalSeconds, 3))
                {
                    Int16Layers = wide.Reverted,
                    SixteenBitStep = decision,
                };
            }
        }
        else if (sixteenBit is not null)
        {
            decision = new Int16Decision(false, $"16-bit activations on up to {cap} layer(s) do not pass the gate; layers go to float", null, null);
        }
        var best = Smallest(cap, count => Try(count, wide: false));
        return new FallbackReport(ranking, steps, best?.Reverted ?? [], best is not null, Math.Round(rankingSeconds, 3),
            Math.Round(watch.Elapsed.TotalSeconds, 3)) { SixteenBitStep = decision };
    }

    /// <summary>Binary search for the smallest passing count in [1, cap]; assumes more layers out of int8 never hurt.</summary>
    private static FallbackStep? Smallest(int cap, Func<int, FallbackStep> step)
    {
        FallbackStep? best = null;
        var low = 1;
        var high = cap;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var tried = step(mid);
            if (tried.Passed)
            {
                best = tried;
                high = mid - 1;
            }
            else
            {
                low = mid + 1;
            }
        }
        return best;
    }
}
