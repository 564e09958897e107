using System.Diagnostics;
using Amct.Engine.Evaluation;

namespace Amct.Engine.Pipeline;

/// <summary>How sensitive one layer is: the model output's SQNR when only this layer is quantized.</summary>
public sealed record LayerSensitivity(string Layer, string OpType, double SqnrDb, double CosineMean);

/// <summary>One step of the fallback search: which layers were float, and what the evaluation gave.</summary>
public sealed record FallbackStep(int RevertedCount, IReadOnlyList<string> Reverted, bool Passed, double? Top1,
    double? Top1Agreement, double CosineMean, double SqnrDb, IReadOnlyList<string> Failures);

/// <summary>The outcome of the fallback: the ranking, every step, and the configuration kept.</summary>
public sealed record FallbackReport(IReadOnlyList<LayerSensitivity> Ranking, IReadOnlyList<FallbackStep> Steps,
    IReadOnlyList<string> Reverted, bool Passed, double RankingSeconds, double SearchSeconds);

/// <summary>
/// Automatic fallback: rank the quantized layers once by how much each alone hurts the output (the model with only that
/// layer quantized, on the samples the fully quantized model gets most wrong), then binary-search the smallest number
/// of most-sensitive layers to keep in float for the gate to pass — every step reusing the calibration statistics, never
/// calibrating again (AMCT's automatic mode re-calibrates the whole model at every step).
/// </summary>
public static class FallbackSearch
{
    /// <param name="layers">The quantized layers (name, op type).</param>
    /// <param name="onlyLayer">Evaluates, on the ranking samples, the model with only the given layer quantized.</param>
    /// <param name="reverting">Evaluates, on all evaluation samples, the model with the given layers in float, and
    /// checks the gate.</param>
    /// <param name="cap">The most layers that may be kept in float.</param>
    public static FallbackReport Run(
        IReadOnlyList<(string Name, string OpType)> layers,
        Func<string, EvaluationResult> onlyLayer,
        Func<IReadOnlyList<string>, (EvaluationResult Evaluation, GateVerdict Verdict)> reverting,
        int cap,
        IJobLog log)
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
        FallbackStep Try(int count)
        {
            var reverted = ranking.Take(count).Select(r => r.Layer).ToList();
            var (evaluation, verdict) = reverting(reverted);
            var primary = evaluation.Outputs.FirstOrDefault(o => o.Output == evaluation.LabeledOutput) ?? evaluation.Outputs[0];
            var step = new FallbackStep(count, reverted, verdict.Passed, evaluation.QuantizedAccuracy?.Top1, primary.Top1Agreement,
                primary.CosineMean, primary.SqnrDb, verdict.Failures.Select(f => f.Message).ToList());
            steps.Add(step);
            log.Info($"fallback: {count} layer(s) in float -> {(verdict.Passed ? "passes" : "fails")}");
            return step;
        }

        // Binary search for the smallest passing count in [1, cap]; assumes more float layers never hurt.
        cap = Math.Min(cap, ranking.Count);
        FallbackStep? best = null;
        var low = 1;
        var high = cap;
        while (low <= high)
        {
            var mid = (low + high) / 2;
            var step = Try(mid);
            if (step.Passed)
            {
                best = step;
                high = mid - 1;
            }
            else
            {
                low = mid + 1;
            }
        }
        return new FallbackReport(ranking, steps, best?.Reverted ?? [], best is not null, Math.Round(rankingSeconds, 3),
            Math.Round(watch.Elapsed.TotalSeconds, 3));
    }
}
