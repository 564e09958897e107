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
        var floor = request.QualityFloor && !context.NothingToQuantize ? Floor(context) : [];
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

    private static IReadOnlyList<GateFailure> Floor(JobContext context)
    {
        var kept = context.Fallback is { Passed: true } fallback ? fallback.Reverted.Count : 0;
        return QualityFloor.Check(context.Evaluation, context.Request.Gate,
            ModelBytes.Of(context.Original), ModelBytes.Of(context.Quantized), (kept, kept + context.Plan.Layers.Count));
    }
}
