using System.Globalization;
using System.Text;

namespace Amct.Engine.Formats;

/// <summary>
/// What retraining did (Retrain setting): the mode, the training samples, the epochs and optimizer steps run, the time
/// (setup — loading libtorch, converting the model, the teacher's outputs — included, as the time budget counts it)
/// and the mean training loss of every epoch, for the reports to show as a curve.
/// </summary>
/// <param name="EpochsRun">Fewer than <see cref="Epochs"/> when the time budget ran out.</param>
/// <param name="LossCurve">The mean training loss of each epoch run, in order.</param>
public sealed record RetrainReport(
    string Mode,
    string TrainingData,
    long Samples,
    int Epochs,
    int EpochsRun,
    int Steps,
    int Seed,
    int Threads,
    double? TimeBudgetSeconds,
    double SetupSeconds,
    double Seconds,
    IReadOnlyList<double> LossCurve)
{
    /// <summary>The labels file whose cross-entropy Distill added to its loss (TrainingLabels); null without labels.</summary>
    public string? TrainingLabels { get; init; }

    /// <summary>The samples the held-out loss is measured on (the evaluation data); null without them.</summary>
    public string? HeldOutData { get; init; }

    public long? HeldOutSamples { get; init; }

    /// <summary>The mean loss on the held-out samples after each epoch run (Distill); null when none was measured.</summary>
    public IReadOnlyList<double>? HeldOutLossCurve { get; init; }

    /// <summary>The held-out loss of the post-training model, before the first epoch; null when none was measured.</summary>
    public double? HeldOutLossAtStart { get; init; }

    /// <summary>The epoch whose model was shipped (0: the post-training one, kept because no epoch beat its held-out loss).</summary>
    public int? KeptEpoch { get; init; }

    private const string Bars = "▁▂▃▄▅▆▇█";

    /// <summary>
    /// The loss curve as one bar per epoch, lowest loss ▁, highest █, a diverged (non-finite) loss <c>?</c>; empty
    /// without epochs.
    /// </summary>
    public string Sparkline()
    {
        var finite = LossCurve.Where(double.IsFinite).ToList();
        var (min, max) = finite.Count > 0 ? (finite.Min(), finite.Max()) : (0, 0);
        var text = new StringBuilder(LossCurve.Count);
        foreach (var loss in LossCurve)
        {
            text.Append(!double.IsFinite(loss) ? '?'
                : max > min ? Bars[(int)Math.Round((loss - min) / (max - min) * (Bars.Length - 1))]
                : Bars[0]);
        }
        return text.ToString();
    }

    /// <summary>e.g. <c>Distill on 200 samples: 5 of 5 epochs (65 steps) in 9.8 s (setup 2.1 s), seed 0, 1 thread</c>.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Mode} on {Samples} samples: {EpochsRun} of {Epochs} epochs ({Steps} steps) in {Seconds:0.0} s (setup {SetupSeconds:0.0} s" +
        $"{(TimeBudgetSeconds is { } budget ? $", budget {budget:0.#} s" : "")}), seed {Seed}, {Threads} thread{(Threads == 1 ? "" : "s")}");
}
