using System.Globalization;
using Amct.Engine.Evaluation;
using Amct.Engine.Formats;

namespace Amct.Engine.Pipeline;

/// <summary>
/// What a missed threshold tells the user: the metrics missed, what the fallback reached, and advice that fits the
/// settings (no fallback advice when the fallback is off; when the float model itself misses MinAccuracy, that and
/// nothing else), with a link to the report that shows the details.
/// </summary>
internal static class GateFailureMessage
{
    /// <summary>The float model's top-1 when it is itself below MinAccuracy (no int8 model can then pass), else null.</summary>
    public static double? FloatBelowMinimum(EvaluationResult evaluation, GateThresholds thresholds) =>
        evaluation.FloatAccuracy is { } f && thresholds.MinAccuracy is { } min && f.Top1 < min ? f.Top1 : null;

    /// <summary>The gate failed but AccuracyFailureIsWarning is set: each miss is a warning and the outputs stay.</summary>
    public static void Warn(GateReport gate, string modelPath, IJobLog log)
    {
        foreach (var failure in gate.Failures)
        {
            log.Warning(failure.Code, modelPath, failure.Message + ". The outputs were kept (AccuracyFailureIsWarning).");
        }
    }

    public static AmctException Error(JobContext context, string reportPath)
    {
        var (request, gate, fallback) = (context.Request, context.Gate!, context.Fallback);
        var code = fallback is { Passed: false } ? ErrorCodes.FallbackExhausted : gate.Failures[0].Code;
        var message = string.Join("; ", gate.Failures.Select(f => f.Message)) + ".";
        var c = CultureInfo.InvariantCulture;
        if (gate.Failures.All(f => QualityFloor.Codes.Contains(f.Code)))
        {
            // Only the quality floor failed: its messages say what to do; threshold advice would not fit.
            return new AmctException(code, context.ModelPath, message + $" Details: {reportPath}");
        }
        if (context.Evaluation is { } evaluation && FloatBelowMinimum(evaluation, request.Gate) is { } floatTop1)
        {
            message += string.Create(c,
                $" The float model itself scores top-1 {floatTop1:P2} on this data, below MinAccuracy {request.Gate.MinAccuracy:P2}, so no int8 model can pass and no layers were tried in float. Check the evaluation data and labels, or lower MinAccuracy.");
        }
        else if (fallback is not null)
        {
            var tried = fallback.Steps.Count == 0 ? 0 : fallback.Steps.Max(s => s.RevertedCount);
            message += Best(gate.Failures[0].Code, fallback) + (tried < context.Plan.Layers.Count
                ? " Raise MaxFallbackLayers, relax the threshold, or skip sensitive layers."
                : " Even every layer in float does not pass: relax the threshold, or skip sensitive op types.");
        }
        else if (request.AutoFallback == false)
        {
            message += " Relax the threshold, skip sensitive layers, or turn AutoFallback on to keep the most sensitive layers in float.";
        }
        else
        {
            message += " Relax the threshold, or skip sensitive op types.";
        }
        return new AmctException(code, context.ModelPath, message + $" Details: {reportPath}");
    }

    /// <summary>The best step by the metric that failed first (a step's other metrics may be equal across steps).</summary>
    private static string Best(string code, FallbackReport fallback)
    {
        Func<FallbackStep, double> value = code switch
        {
            ErrorCodes.Top1AgreementTooLow => s => s.Top1Agreement ?? 0,
            ErrorCodes.CosineSimilarityTooLow => s => s.CosineMean,
            ErrorCodes.SqnrTooLow => s => s.SqnrDb,
            _ => s => s.Top1 ?? 0,
        };
        var best = fallback.Steps.OrderByDescending(value).ThenBy(s => s.RevertedCount).FirstOrDefault();
        return best is null ? ""
            : $" The fallback tried up to {fallback.Steps.Max(s => s.RevertedCount)} float layers; the best reached was " +
              (code switch
              {
                  ErrorCodes.Top1AgreementTooLow => $"top-1 agreement {best.Top1Agreement:P2}",
                  ErrorCodes.CosineSimilarityTooLow => $"cosine {best.CosineMean:0.0000}",
                  ErrorCodes.SqnrTooLow => $"SQNR {best.SqnrDb:0.00} dB",
                  _ => $"top-1 {best.Top1:P2}",
              }) + $" with {best.RevertedCount} float layers.";
    }
}
