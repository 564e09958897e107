using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Onnx;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// The final verdict for the report: the thresholds' verdict plus the quality floor (<see cref="QualityFloor"/>, on
/// unless QualityFloor=false), so a model far off the float one fails even when no threshold was set. Without
/// thresholds a cosine similarity above the floor but below AMCT's guidance is a warning.
/// </summary>
internal sealed class GateStage() : JobStage("gate", StageTiming.Evaluate)
{
    public override void Run(JobContext context)
    {
        var request = context.Request;
        var kept = context.Fallback is { Passed: true } fallback ? fallback.Reverted.Count : 0;
        var floor = Floor(context, context.Quantized, context.Evaluation, kept);
        if (context.Verdict is null && floor.Count == 0)
        {
            return;
        }
        if (!request.Gate.Any && floor.Count == 0 &&
            context.Evaluation?.Outputs.FirstOrDefault(o => o.CosineMean < AccuracyGate.AdvisoryCosine) is { } poor)
        {
            context.Log.Warning(ErrorCodes.CosineBelowAdvisory, context.ModelPath,
                $"output '{poor.Output}': mean cosine similarity with the float model is {poor.CosineMean:0.0000}, below " +
                $"{AccuracyGate.AdvisoryCosine}. Check the report's layer table; set a threshold to fall back sensitive layers automatically.");
        }
        var failures = (context.Verdict?.Failures ?? []).Concat(floor).ToList();
        context.Gate = new GateReport(request.Gate, failures.Count == 0, request.AccuracyFailureIsWarning, failures);
    }

    /// <summary>The quality floor's failures for <paramref name="quantized"/> with <paramref name="kept"/> layers in
    /// float (none when QualityFloor=false or nothing is quantized).</summary>
    public static IReadOnlyList<GateFailure> Floor(JobContext context, ModelProto quantized, EvaluationResult? evaluation, int kept) =>
        context.Request.QualityFloor && !context.NothingToQuantize
            ? QualityFloor.Check(evaluation, context.Request.Gate, ModelBytes.Of(context.Original), ModelBytes.Of(quantized),
                (kept, kept + context.Plan.Layers.Count))
            : [];
}
