using Amct.Engine.Data;
using Amct.Engine.Formats;
using Amct.Engine.Retraining;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Quantization-aware retraining (Retrain setting): hands the calibrated factors and int8 weights to the worker's
/// retrainer and takes back the trained ones; Retrain=Auto first checks the gate on the post-training result
/// (<see cref="AutoRetrain"/>). Without Retrain it does nothing, so post-training jobs are unchanged.
/// </summary>
internal sealed class RetrainStage(IRetrainer? retrainer) : JobStage("retrain", StageTiming.Quantize)
{
    public const int DefaultEpochs = 10;

    public override void Run(JobContext context)
    {
        var mode = context.Request.Retrain;
        if (mode == RetrainMode.None || context.NothingToQuantize)
        {
            return;
        }
        if (mode == RetrainMode.Auto)
        {
            AutoRetrain.Run(context, retrainer);
            return;
        }
        if (retrainer is null)
        {
            throw new AmctException(ErrorCodes.RetrainNeedsQatWorker, "Retrain", NeedsWorker(mode));
        }
        Apply(context, Train(context, retrainer, mode));
    }

    public static string NeedsWorker(RetrainMode mode) =>
        $"Retrain={mode} needs the retraining worker: reference the Amct.Build.Qat package (or run amct-qat instead of " +
        "amct), or leave Retrain at None.";

    /// <summary>Retrains from the job's current factors and weights in <paramref name="mode"/>; the job is unchanged.</summary>
    public static RetrainRun Train(JobContext context, IRetrainer retrainer, RetrainMode mode)
    {
        var request = context.Request;
        var dataPath = request.TrainingData ?? request.CalibrationData ?? throw new AmctException(ErrorCodes.MissingSetting,
            context.ModelPath, "retraining needs samples: give TrainingData (or CalibrationData).");
        var options = new RetrainOptions(mode, request.RetrainEpochs ?? DefaultEpochs, request.RetrainTimeBudget,
            request.RetrainThreads ?? 1, request.RetrainSeed ?? 0);
        var batches = ReadBatches(context, dataPath);
        var samples = batches.Sum(b => (long)b.Count);
        var labels = request.TrainingLabels is { } labelsPath ? ReadLabels(context, dataPath, labelsPath, batches) : null;
        if (labels is not null && mode == RetrainMode.AdaRound)
        {
            context.Log.Info("AdaRound learns each layer's rounding without labels: TrainingLabels are used by Distill only");
        }
        var heldOut = request.EvaluationData is { } evaluationData ? ReadHeldOut(context, evaluationData, samples) : [];
        context.Log.Info($"retraining ({mode}) on {samples} samples from {dataPath}: " +
            $"{options.Epochs} epochs, {options.Threads} thread(s), seed {options.Seed}" +
            (options.TimeBudgetSeconds is { } budget ? $", at most {budget} s" : ""));
        var result = retrainer.Retrain(new RetrainInput(context.Model, context.ModelPath, context.Plan, context.Factors,
            context.Weights, request.WeightBits, batches.Select(b => b.Inputs).ToList(), options, context.Log)
        {
            HeldOut = heldOut.Select(b => b.Inputs).ToList(),
            Labels = labels,
        });
        var measured = result.HeldOutLossCurve.Count > 0;
        var report = new RetrainReport(mode.ToString(), dataPath, samples, options.Epochs, result.LossCurve.Count,
            result.Steps, options.Seed, options.Threads, options.TimeBudgetSeconds, result.SetupSeconds, result.Seconds, result.LossCurve)
        {
            TrainingLabels = labels is not null && mode != RetrainMode.AdaRound ? request.TrainingLabels : null,
            HeldOutData = measured ? request.EvaluationData : null,
            HeldOutSamples = measured ? heldOut.Sum(b => (long)b.Count) : null,
            HeldOutLossCurve = measured ? result.HeldOutLossCurve : null,
            HeldOutLossAtStart = result.HeldOutLossAtStart,
            KeptEpoch = result.KeptEpoch,
        };
        if (result.Steps == 0)
        {
            context.Log.Warning(ErrorCodes.RetrainBudgetSpentOnSetup, "RetrainTimeBudget",
                $"the time budget of {options.TimeBudgetSeconds} s ran out during retraining's setup ({result.SetupSeconds:0.0} s), " +
                "before the first training step; the model is the post-training one. Raise RetrainTimeBudget.");
        }
        context.Log.Info($"retrained: {report.Describe()}; loss per epoch " + Losses(result.LossCurve) +
            (measured ? "; held-out loss " + (result.HeldOutLossAtStart is { } start ? $"{Losses([start])} (before training) " : "") +
                Losses(result.HeldOutLossCurve) : "") +
            (result.KeptEpoch is { } kept ? $"; kept epoch {kept}" + (kept == 0 ? " (the post-training model)" : "") : ""));
        return new RetrainRun(result, report);
    }

    private static string Losses(IEnumerable<double> losses) =>
        string.Join(" ", losses.Select(l => l.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>
    /// Makes the retrained factors and weights the job's. They also become the factors the fallback and the speed
    /// search rebuild from, so a layer they keep in float does not put the calibrated factors back on the others.
    /// </summary>
    public static void Apply(JobContext context, RetrainRun run)
    {
        var result = run.Result;
        context.Factors = result.Factors;
        context.CalibratedFactors = result.Factors;
        context.Weights = result.Weights;
        context.Retraining = run.Report;
    }

    /// <summary>
    /// The training samples, the first TrainingSampleCount of them; on the calibration data by default the samples
    /// calibration used (SampleCount), so that a smaller calibration set makes a faster retraining too.
    /// </summary>
    private static List<SampleBatch> ReadBatches(JobContext context, string dataPath)
    {
        var request = context.Request;
        using var source = SampleSources.Open(dataPath, context.Inputs, context.DataOptions);
        var limit = request.TrainingSampleCount
            ?? (request.TrainingData is null ? context.Settings.SamplesFor(context.BatchSize) : null);
        return SampleBatches.Read(source, context.Inputs, context.BatchSize, Math.Min(source.Count, limit ?? long.MaxValue)).ToList();
    }

    /// <summary>
    /// The labels of the training batches: read as evaluation labels are (same formats and checks; one label per sample
    /// of the training data, matched by name or position), then cut to the batches' samples, the first ones.
    /// </summary>
    private static TrainingLabels ReadLabels(JobContext context, string dataPath, string labelsPath, List<SampleBatch> batches)
    {
        long[] all;
        using (var source = SampleSources.Open(dataPath, context.Inputs, context.DataOptions))
        {
            all = Labels.Read(labelsPath, source, LabeledSamples.Training);
        }
        var perBatch = new List<long[]>(batches.Count);
        var start = 0;
        foreach (var batch in batches)
        {
            perBatch.Add(all[start..(start + batch.Count)]);
            start += batch.Count;
        }
        return new TrainingLabels(Path.GetFullPath(labelsPath), perBatch);
    }

    /// <summary>
    /// The held-out samples: the first of the evaluation data, at most as many as training uses, so measuring the
    /// held-out loss after each epoch costs no more than another pass over the training data.
    /// </summary>
    private static List<SampleBatch> ReadHeldOut(JobContext context, string evaluationData, long trainingSamples)
    {
        using var source = SampleSources.Open(evaluationData, context.Inputs, context.DataOptions);
        return SampleBatches.Read(source, context.Inputs, context.BatchSize, Math.Min(source.Count, trainingSamples)).ToList();
    }
}

/// <summary>One retraining: what the retrainer returned and what the reports say of it.</summary>
internal sealed record RetrainRun(RetrainResult Result, RetrainReport Report);
