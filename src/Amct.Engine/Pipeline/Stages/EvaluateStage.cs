using Amct.Engine.Evaluation;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Compares the quantized model with the float one, on the evaluation data or else in-sample on the calibration data,
/// and checks the gate's thresholds. Nothing is evaluated when evaluation is off or there is nothing quantized.
/// </summary>
internal sealed class EvaluateStage() : JobStage("evaluate", StageTiming.Evaluate)
{
    public override void Run(JobContext context)
    {
        if (Evaluator(context) is not { } evaluator)
        {
            return;
        }
        context.Log.Info(context.Request.EvaluationData is null
            ? $"evaluating on the calibration data (in-sample): {evaluator.DataPath}"
            : $"evaluating on {evaluator.DataPath}");
        context.Evaluation = evaluator.Full(context.Quantized);
        context.Verdict = AccuracyGate.Check(context.Evaluation, context.Request.Gate);
    }

    /// <summary>
    /// The job's comparison with the float model, created on first use (Retrain=Auto checks the gate before this
    /// stage runs, and the float model's outputs are then computed once); null when nothing is evaluated.
    /// </summary>
    public static JobEvaluator? Evaluator(JobContext context)
    {
        var request = context.Request;
        var evaluationData = request.EvaluationData ?? request.CalibrationData;
        if (context.NothingToQuantize || request.SkipEvaluation || evaluationData is null)
        {
            return null;
        }
        if (context.Evaluator is { } existing)
        {
            return existing;
        }
        if (request.Gate.NeedsLabels && request.EvaluationLabels is null)
        {
            throw new AmctException(ErrorCodes.AccuracyNeedsLabels, context.ModelPath,
                "accuracy thresholds (MinAccuracy, MaxAccuracyDrop, MaxRelativeAccuracyDrop) need evaluation labels. " +
                "Give EvaluationLabels (--evaluation-labels), or use label-free thresholds such as MinTop1Agreement.");
        }
        // An imported QAT model is compared with the float model when one is given, else with the export itself run as
        // written (its fake quantization): the import should then change next to nothing.
        var (reference, asExported) = context.Import is null ? (context.ModelPath, false)
            : request.FloatModel is { } floatModel ? (Path.GetFullPath(floatModel), false) : (context.ModelPath, true);
        context.Evaluator = new JobEvaluator(reference, context.Inputs, context.BatchSize, evaluationData,
            request.EvaluationLabels, context.DataOptions, asExported);
        return context.Evaluator;
    }
}
