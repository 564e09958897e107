using Amct.Engine.Evaluation;
using Amct.Engine.Latency;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// When the gate fails and the fallback is on, keeps the most sensitive layers in float (<see cref="FallbackSearch"/>)
/// and replaces the quantized model, plan and factors with the smallest configuration that passes (an imported QAT
/// model keeps its trained factors; its layers kept in float run their dequantized trained weights). Skipped when the
/// float model itself misses MinAccuracy: no int8 configuration can then pass, and searching would only take time.
/// With Int16Fallback (the default) the first step moves the sensitive layers' activation input to 16 bits instead,
/// weights still int8, and keeps that where ONNX Runtime runs it no slower than the same layers in float
/// (<see cref="Int16Rule"/>); only when that fails the gate, or is slower, do layers go to float.
/// </summary>
internal sealed class FallbackStage(ILatencyMeter meter) : JobStage("fallback", StageTiming.Fallback)
{
    public FallbackStage()
        : this(OrtLatencyMeter.Default)
    {
    }

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
            log,
            Int16Step(context, rebuild, evaluator));
        if (fallback.Passed)
        {
            (context.Quantized, context.Plan, context.Factors) = rebuild.Reverting(fallback.Reverted, null, fallback.Int16Layers);
            context.Evaluation = evaluator.Full(context.Quantized);
            context.Verdict = AccuracyGate.Check(context.Evaluation, request.Gate);
            fallback = fallback with
            {
                Int16Tensors = rebuild.Int16Tensors(context.Plan, context.Factors, fallback.Int16Layers),
            };
        }
        context.Fallback = fallback;
    }

    /// <summary>
    /// The 16-bit step, or null where it does not apply: turned off, weight-only activations (nothing to widen), or an
    /// imported QAT model (its activations keep their trained int8 factors).
    /// </summary>
    private (Func<IReadOnlyList<string>, (EvaluationResult, GateVerdict)>, Func<IReadOnlyList<string>, Int16Decision>)? Int16Step(
        JobContext context, Rebuilder rebuild, JobEvaluator evaluator)
    {
        var request = context.Request;
        if (!request.Int16Fallback || context.Settings.Activation == ActivationMode.None || context.Import is not null)
        {
            return null;
        }
        (EvaluationResult, GateVerdict) Widening(IReadOnlyList<string> layers)
        {
            var evaluation = evaluator.Full(rebuild.Reverting([], null, layers).Model);
            return (evaluation, AccuracyGate.Check(evaluation, request.Gate));
        }
        Int16Decision Choose(IReadOnlyList<string> layers)
        {
            if (!request.MeasureLatency || TimingSample.Read(context) is not { } batch)
            {
                return new Int16Decision(true, "16-bit activations kept, not timed (MeasureLatency off or no data to time on)", null, null);
            }
            var threads = request.LatencyThreads ?? 1;
            var timing = meter.Measure(rebuild.Reverting(layers).Model, rebuild.Reverting([], null, layers).Model, batch, threads,
                context.ModelPath);
            return Int16Rule.Decide(timing);
        }
        return (Widening, Choose);
    }

    /// <summary>The most layers kept in float when MaxFallbackLayers is not set: half of them, at least one.</summary>
    public static int DefaultCap(int layers) => Math.Max(1, (layers + 1) / 2);
}
