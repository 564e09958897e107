using Amct.Engine.Evaluation;
using Amct.Engine.Latency;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Latency-aware layer choice (OptimizeFor Balanced, Latency, Accuracy): after the accuracy fallback, keeps in float
/// the layer groups (<see cref="LayerGroups"/>) whose float kernels ONNX Runtime runs clearly faster here, as measured
/// end to end on the model (<see cref="SpeedSearch"/>, <see cref="SpeedRule"/>). A candidate must still pass the
/// accuracy gate. When no group is taken the quantized model is left exactly as it was: same bytes as OptimizeFor=Size.
/// Needs MeasureLatency (no timing at all without it) and data to time on.
/// </summary>
internal sealed class SpeedStage(ILatencyMeter meter, double budgetMs) : JobStage("speed", StageTiming.Fallback)
{
    /// <summary>The search tries no new group after this long; each timing has its own budget (<see cref="LatencyBudget"/>).</summary>
    public const double DefaultBudgetMs = 15_000;

    public SpeedStage()
        : this(OrtLatencyMeter.Default, DefaultBudgetMs)
    {
    }

    public override void Run(JobContext context)
    {
        var (request, log) = (context.Request, context.Log);
        if (SpeedRule.For(request.OptimizeFor) is not { } rule || !request.MeasureLatency || context.NothingToQuantize
            || context.Plan.Layers.Count == 0 || (context.Verdict is { Passed: false } && !request.AccuracyFailureIsWarning))
        {
            return;
        }
        if (context.Settings.Activation == ActivationMode.None)
        {
            // Weight-only layers compute in float either way: the point is the file size, which float layers would undo.
            log.Info("speed: weight-only quantization (ActivationQuantization=None); no latency-aware layer choice");
            return;
        }
        if (context.Subgraphs.Quantized.Count > 0)
        {
            // A rebuilt candidate would lose the layers quantized inside If branches; such models are not searched.
            log.Info("speed: the model quantizes layers inside If branches; no latency-aware layer choice");
            return;
        }
        if (TimingSample.Read(context) is not { } batch)
        {
            return;
        }
        var fallbackReverted = context.Fallback is { Passed: true } fallback ? fallback.Reverted : [];
        var fallbackInt16 = context.Fallback is { Passed: true } passed ? passed.Int16Layers : [];
        var groups = LayerGroups.Of(context.Model.Graph, context.Plan.Layers);
        var rebuild = context.CreateRebuilder();
        var threads = request.LatencyThreads ?? 1;
        var startPassed = context.Verdict is not { Passed: false };
        var built = new Dictionary<string, (ModelProto Model, Quantization.QuantizationPlan Plan, IReadOnlyList<Quantization.TensorFactors> Factors)>(StringComparer.Ordinal);
        var evaluated = new Dictionary<string, (EvaluationResult Evaluation, GateVerdict Verdict)>(StringComparer.Ordinal);

        ModelProto Model(IReadOnlyList<string> forSpeed)
        {
            if (forSpeed.Count == 0)
            {
                return context.Quantized;
            }
            var key = string.Join('\n', forSpeed);
            if (!built.TryGetValue(key, out var candidate))
            {
                // A 16-bit layer the speed search takes to float is float only (the plan skips it).
                built[key] = candidate = rebuild.Reverting(fallbackReverted, forSpeed, fallbackInt16);
            }
            return candidate.Model;
        }

        bool PassesGate(IReadOnlyList<string> forSpeed)
        {
            if (context.Evaluator is not { } evaluator)
            {
                return true;
            }
            var evaluation = evaluator.Full(Model(forSpeed));
            var verdict = AccuracyGate.Check(evaluation, request.Gate);
            evaluated[string.Join('\n', forSpeed)] = (evaluation, verdict);
            return verdict.Passed || !startPassed;
        }

        var memo = request.SpeedChoiceCache is { } folder ? new SpeedChoiceMemo(folder).PathFor(context.Quantized, rule, threads, MachineIdentity.Get()) : null;
        if (memo is null || Remembered(memo, groups, PassesGate, log) is not { } choice)
        {
            log.Info($"speed: OptimizeFor={request.OptimizeFor}; timing {groups.Count} layer group(s) in float, {TimingSample.Threads(threads)}");
            choice = SpeedSearch.Run(groups, rule,
                (current, candidate) => LatencyComparison.From(meter.Measure(Model(current), Model(candidate), batch, threads, context.ModelPath)),
                PassesGate, budgetMs, log);
            if (memo is not null)
            {
                SpeedChoiceMemo.Write(memo, choice, log);
            }
        }
        context.SpeedChoice = choice;
        if (choice.KeptFloat.Count == 0)
        {
            return;
        }
        var key = string.Join('\n', choice.KeptFloat);
        Model(choice.KeptFloat); // built already when timed; a remembered choice is built here
        (context.Quantized, context.Plan, context.Factors) = built[key];
        if (context.Fallback is { Int16Layers.Count: > 0 } wide && wide.Int16Layers.Any(choice.KeptFloat.Contains))
        {
            // A 16-bit layer kept in float for speed is float only: the reports must not list it (or its tensors) as 16-bit.
            var still = wide.Int16Layers.Where(l => !choice.KeptFloat.Contains(l)).ToList();
            context.Fallback = wide with { Int16Layers = still, Int16Tensors = rebuild.Int16Tensors(context.Plan, context.Factors, still) };
        }
        if (evaluated.TryGetValue(key, out var chosen))
        {
            (context.Evaluation, context.Verdict) = chosen;
        }
    }

    /// <summary>
    /// The choice an earlier search on this machine made from the same start, if it still fits: the same layer groups,
    /// and its layers in float still pass the accuracy gate (the evaluation data or the thresholds may have changed).
    /// </summary>
    private static SpeedChoiceReport? Remembered(string memo, IReadOnlyList<LayerGroup> groups,
        Func<IReadOnlyList<string>, bool> passesGate, IJobLog log)
    {
        if (SpeedChoiceMemo.Read(memo, log) is not { } remembered)
        {
            return null;
        }
        var sameGroups = remembered.Groups.Count == groups.Count
            && remembered.Groups.Zip(groups).All(p => p.First.Kind == p.Second.Kind && p.First.Layers.SequenceEqual(p.Second.Layers, StringComparer.Ordinal));
        if (!sameGroups)
        {
            log.Info($"speed: the remembered choice '{memo}' names other layer groups; timing again");
            return null;
        }
        if (remembered.KeptFloat.Count > 0 && !passesGate(remembered.KeptFloat))
        {
            log.Info($"speed: the remembered choice '{memo}' no longer passes the accuracy gate; timing again");
            return null;
        }
        log.Info($"speed: OptimizeFor={remembered.OptimizeFor}; {remembered.KeptFloat.Count} layer(s) in float as an earlier build " +
            $"on this machine measured ('{memo}'); delete it or set {SpeedChoiceMemo.FolderVariable}=off to time again");
        return remembered with { RememberedIn = memo };
    }
}
