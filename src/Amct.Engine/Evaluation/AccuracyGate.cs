using System.Globalization;

namespace Amct.Engine.Evaluation;

/// <summary>
/// The thresholds a quantized model must meet. Accuracies and drops are fractions (0.01 = one point); null means
/// "not checked". Accuracy thresholds apply to the labelled output; agreement, cosine and SQNR to every compared output.
/// </summary>
public sealed record GateThresholds
{
    public double? MinAccuracy { get; init; }
    public double? MaxAccuracyDrop { get; init; }
    public double? MaxRelativeAccuracyDrop { get; init; }
    public double? MinTop1Agreement { get; init; }
    public double? MinCosineSimilarity { get; init; }
    public double? MinSqnrDb { get; init; }

    public bool Any => MinAccuracy is not null || MaxAccuracyDrop is not null || MaxRelativeAccuracyDrop is not null
        || MinTop1Agreement is not null || MinCosineSimilarity is not null || MinSqnrDb is not null;

    public bool NeedsLabels => MinAccuracy is not null || MaxAccuracyDrop is not null || MaxRelativeAccuracyDrop is not null;
}

/// <summary>One missed threshold: which metric, its value, the threshold, and the code to report it with.</summary>
public sealed record GateFailure(string Code, string Metric, double Value, double Threshold, string Message);

/// <summary>The gate's verdict on one evaluation.</summary>
public sealed record GateVerdict(bool Passed, IReadOnlyList<GateFailure> Failures);

/// <summary>Checks an evaluation against thresholds.</summary>
public static class AccuracyGate
{
    /// <summary>Below this mean cosine similarity a build without thresholds still warns (AMCT's own guidance).</summary>
    public const double AdvisoryCosine = 0.99;

    public static GateVerdict Check(EvaluationResult evaluation, GateThresholds thresholds)
    {
        var failures = new List<GateFailure>();
        var c = CultureInfo.InvariantCulture;
        if (evaluation is { FloatAccuracy: { } f, QuantizedAccuracy: { } q })
        {
            var drop = f.Top1 - q.Top1;
            var relative = f.Top1 > 0 ? drop / f.Top1 : 0;
            if (thresholds.MinAccuracy is { } min && q.Top1 < min)
            {
                failures.Add(new(ErrorCodes.AccuracyBelowMinimum, "top-1 accuracy", q.Top1, min,
                    string.Create(c, $"top-1 accuracy {q.Top1:P2} is below MinAccuracy {min:P2}")));
            }
            if (thresholds.MaxAccuracyDrop is { } maxDrop && drop > maxDrop)
            {
                failures.Add(new(ErrorCodes.AccuracyDropTooLarge, "top-1 drop", drop, maxDrop,
                    string.Create(c, $"top-1 accuracy dropped {drop * 100:0.00} points (float {f.Top1:P2}, int8 {q.Top1:P2}), more than MaxAccuracyDrop {maxDrop * 100:0.00}")));
            }
            if (thresholds.MaxRelativeAccuracyDrop is { } maxRelative && relative > maxRelative)
            {
                failures.Add(new(ErrorCodes.RelativeAccuracyDropTooLarge, "relative top-1 drop", relative, maxRelative,
                    string.Create(c, $"top-1 accuracy dropped {relative:P2} relative to float, more than MaxRelativeAccuracyDrop {maxRelative:P2}")));
            }
        }
        foreach (var output in evaluation.Outputs)
        {
            if (thresholds.MinTop1Agreement is { } agreement && output.Top1Agreement is { } value && value < agreement)
            {
                failures.Add(new(ErrorCodes.Top1AgreementTooLow, $"top-1 agreement ({output.Output})", value, agreement,
                    string.Create(c, $"output '{output.Output}': top-1 agreement with float {value:P2} is below MinTop1Agreement {agreement:P2}")));
            }
            if (thresholds.MinCosineSimilarity is { } cosine && output.CosineMean < cosine)
            {
                failures.Add(new(ErrorCodes.CosineSimilarityTooLow, $"cosine similarity ({output.Output})", output.CosineMean, cosine,
                    string.Create(c, $"output '{output.Output}': mean cosine similarity {output.CosineMean:0.0000} is below MinCosineSimilarity {cosine:0.0000}")));
            }
            if (thresholds.MinSqnrDb is { } sqnr && output.SqnrDb < sqnr)
            {
                failures.Add(new(ErrorCodes.SqnrTooLow, $"SQNR ({output.Output})", output.SqnrDb, sqnr,
                    string.Create(c, $"output '{output.Output}': SQNR {output.SqnrDb:0.00} dB is below MinSqnrDb {sqnr:0.00} dB")));
            }
        }
        return new GateVerdict(failures.Count == 0, failures);
    }
}
