using Amct.Engine.Evaluation;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// When the gate fails and the fallback is on, keeps the most sensitive layers in float (<see cref="FallbackSearch"/>)
/// and replaces the quantized model, plan and factors with the smallest configuration that passes (an imported QAT
/// model keeps its trained factors; its layers kept in float run their dequantized trained weights). Skipped when the
/// float model itself misses MinAccuracy: no int8 configuration can then pass, and searching would only take time.
/// </summary>
internal sealed class FallbackStage() : JobStage("fallback", StageTiming.Fallback)
{
    public override void Run(JobContext context)
    {
        var (request, plan, log) = (context.Request, context.Plan, context.Log);
        if (context is not { Verdict.Passed: false, Evaluator: { } evaluator, Evaluation: { } evaluation } ||
            !(request.AutoFallback ?? request.Gate.Any) || plan.Layers.Count == 0)
        {
            return;
        }
        if (GateFailureMessage.FloatBelowMinimum(evaluation, request.Gate) is { } floatTop1)
        {
            log.Info($"the float model itself scores top-1 {floatTop1:P2}, below MinAccuracy; no fallback search");
            return;
        }
        var rebuild = context.CreateRebuilder();
        var cap = request.MaxFallbackLayers ?? DefaultCap(plan.Layers.Count);
        log.Info($"the gate fails ({context.Verdict.Failures[0].Message}); ranking {plan.Layers.Count} layers for fallback");
        var rankingSamples = JobEvaluator.WorstSamples(evaluation, 32);
        var fallback = FallbackSearch.Run(
            plan.Layers.Select(l => (l.Name, l.OpType)).ToList(),
            layer => evaluator.OnSubset(rebuild.OnlyLayer(layer, plan), rankingSamples),
            reverted =>
            {
                var candidate = evaluator.Full(rebuild.Reverting(reverted).Model);
                return (candidate, AccuracyGate.Check(candidate, request.Gate));
            },
            cap,
            log);
        if (fallback.Passed)
        {
            (context.Quantized, context.Plan, context.Factors) = rebuild.Reverting(fallback.Reverted);
            context.Evaluation = evaluator.Full(context.Quantized);
            context.Verdict = AccuracyGate.Check(context.Evaluation, request.Gate);
        }
        context.Fallback = fallback;
    }

    /// <summary>The most layers kept in float when MaxFallbackLayers is not set: half of them, at least one.</summary>
    public static int DefaultCap(int layers) => Math.Max(1, (layers + 1) / 2);
}
