using Amct.Engine.Evaluation;
using Amct.Engine.Formats;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// The gate's final verdict for the report. Without thresholds, a poor cosine similarity is still a warning.
/// </summary>
internal sealed class GateStage() : JobStage("gate", StageTiming.Evaluate)
{
    public override void Run(JobContext context)
    {
        if (context is not { Evaluation: { } evaluation, Verdict: { } verdict })
        {
            return;
        }
        var request = context.Request;
        if (!request.Gate.Any && evaluation.Outputs.FirstOrDefault(o => o.CosineMean < AccuracyGate.AdvisoryCosine) is { } poor)
        {
            context.Log.Warning(ErrorCodes.CosineBelowAdvisory, context.ModelPath,
                $"output '{poor.Output}': mean cosine similarity with the float model is {poor.CosineMean:0.0000}, below " +
                $"{AccuracyGate.AdvisoryCosine}. Check the report's layer table; set a threshold to fall back sensitive layers automatically.");
        }
        context.Gate = new GateReport(request.Gate, verdict.Passed, request.AccuracyFailureIsWarning, verdict.Failures);
    }
}
