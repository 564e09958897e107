using Amct.Engine.Latency;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Times the model that ships against the float one (after the gate, the fallback and the speed search settled it,
/// before anything is written) on one sample of the evaluation data, else the calibration data, and warns when int8 is
/// the slower one, saying why the speed search did not prevent it. The figures go to the reports only: the model and
/// the record are the same whatever this timing.
/// </summary>
internal sealed class LatencyStage(ILatencyMeter meter) : JobStage("latency", StageTiming.Evaluate)
{
    public LatencyStage()
        : this(OrtLatencyMeter.Default)
    {
    }

    public override void Run(JobContext context)
    {
        var request = context.Request;
        if (!request.MeasureLatency || context.NothingToQuantize || !context.KeepOutputs || TimingSample.Read(context) is not { } batch)
        {
            return;
        }
        var threads = request.LatencyThreads ?? 1;
        var latency = meter.Measure(context.Original, context.Quantized, batch, threads, context.ModelPath);
        context.Latency = latency;
        context.Log.Info($"{latency.Describe()} (float {latency.FloatMs:0.###} ms, int8 {latency.Int8Ms:0.###} ms, " +
            $"median of {latency.Rounds} rounds, {TimingSample.Threads(threads)})");
        if (latency.NotFaster)
        {
            context.Log.Warning(ErrorCodes.Int8SlowerThanFloat, context.ModelPath,
                $"{Verdict(latency)} ({latency.Describe()} at {TimingSample.Threads(threads)}). {Cause(latency)} " +
                $"{Why(context)} Keep more layers in float (SkipLayers, --skip-layers; the report lists the ops ONNX " +
                "Runtime runs and each layer group's timing), or ship the float model.");
        }
    }

    private static string Verdict(Formats.LatencyReport latency) => latency.Ratio > 1.0
        ? "the int8 model is slower than the float one here"
        : "the int8 model is no faster than the float one here";

    /// <summary>What makes int8 slow: per-op overhead on a tiny model, else ONNX Runtime's kernels.</summary>
    private static string Cause(Formats.LatencyReport latency)
    {
        if (Math.Abs(latency.Int8Ms - latency.FloatMs) < SpeedRule.OverheadMs)
        {
            // Within a few hundredths of a millisecond the time is ONNX Runtime's fixed cost per op, and the
            // quantize/dequantize nodes are ops the float model does not have.
            var ms = latency.FloatMs.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
            return $"The float model runs in {ms} ms: at that size ONNX Runtime's fixed cost per op outweighs the int8 " +
                "kernels, and the quantize/dequantize nodes are extra ops, so int8 buys size here, not speed.";
        }
        return "ONNX Runtime's float kernels can beat its int8 ones on some layers, e.g. its blocked (NCHWc) float " +
            "convolutions on small depthwise layers.";
    }

    /// <summary>Why the speed search left the model slower than float.</summary>
    private static string Why(JobContext context)
    {
        var request = context.Request;
        if (request.OptimizeFor == OptimizeFor.Size)
        {
            return "OptimizeFor=Size keeps every layer int8 whatever the timing.";
        }
        if (context.SpeedChoice is not { } choice)
        {
            return context.Subgraphs.Quantized.Count > 0
                ? "The layer choice does not search models with layers quantized inside If branches."
                : context.Plan.Layers.Count == 0 && context.Plan.WeightOnly.Count > 0
                    ? "Its layers are weight-only (their activations cannot be int8): they compute in float on dequantized " +
                        "weights, so int8 buys size here, not speed (WeightOnlyFallback=false keeps them float)."
                    : "No layer choice ran: the model has no int8 layer with weights, only quantize/dequantize pairs.";
        }
        var kept = choice.Groups.Where(g => g.KeptFloat).Select(g => g.Kind).ToList();
        var taken = kept.Count == 0
            ? "No layer group was clearly faster in float"
            : $"With {string.Join(", ", kept)} in float it is still not faster";
        var reasons = new List<string>();
        if (choice.BudgetSpent)
        {
            reasons.Add("the search's time budget ran out before every group was tried");
        }
        if (choice.Groups.Any(g => g.Decision == SpeedDecision.FailsGate))
        {
            reasons.Add("a faster configuration failed the accuracy gate");
        }
        // The rest of the time is in the ops that stay quantized whatever the layers (Q/DQ around Add, Concat, pooling).
        return $"{taken} (OptimizeFor={request.OptimizeFor}{(reasons.Count > 0 ? "; " + string.Join("; ", reasons) : "")}); " +
            "the quantize/dequantize around ops without weights (Add, Concat, pooling) stay.";
    }
}
