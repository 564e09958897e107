using Amct.Engine.Data;
using Amct.Engine.Retraining;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Quantization-aware retraining (Retrain setting): hands the calibrated factors and int8 weights to the worker's
/// retrainer and takes back the trained ones. Without Retrain it does nothing, so post-training jobs are unchanged.
/// </summary>
internal sealed class RetrainStage(IRetrainer? retrainer) : JobStage("retrain", StageTiming.Quantize)
{
    public const int DefaultEpochs = 10;

    public override void Run(JobContext context)
    {
        var request = context.Request;
        if (request.Retrain == RetrainMode.None || context.NothingToQuantize)
        {
            return;
        }
        if (retrainer is null)
        {
            throw new AmctException(ErrorCodes.RetrainNeedsQatWorker, "Retrain",
                $"Retrain={request.Retrain} needs the retraining worker: reference the Amct.Build.Qat package (or run " +
                "amct-qat instead of amct), or leave Retrain at None.");
        }
        var dataPath = request.TrainingData ?? request.CalibrationData ?? throw new AmctException(ErrorCodes.MissingSetting,
            context.ModelPath, "retraining needs samples: give TrainingData (or CalibrationData).");
        var options = new RetrainOptions(request.Retrain, request.RetrainEpochs ?? DefaultEpochs, request.RetrainTimeBudget,
            request.RetrainThreads ?? 1, Seed: 0);
        var batches = ReadBatches(context, dataPath);
        context.Log.Info($"retraining ({request.Retrain}) on {batches.Sum(b => b.Count)} samples from {dataPath}: " +
            $"{options.Epochs} epochs, {options.Threads} thread(s)" +
            (options.TimeBudgetSeconds is { } budget ? $", at most {budget} s" : ""));
        var result = retrainer.Retrain(new RetrainInput(context.Model, context.ModelPath, context.Plan, context.Factors,
            context.Weights, request.WeightBits, batches.Select(b => b.Inputs).ToList(), options, context.Log));
        context.Factors = result.Factors;
        context.Weights = result.Weights;
        context.Retraining = result;
        context.Log.Info($"retrained in {result.Seconds:0.0} s, {result.Steps} steps; loss per epoch " +
            string.Join(" ", result.LossCurve.Select(l => l.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture))));
    }

    private static List<SampleBatch> ReadBatches(JobContext context, string dataPath)
    {
        using var source = SampleSources.Open(dataPath, context.Inputs, context.DataOptions);
        return SampleBatches.Read(source, context.Inputs, context.BatchSize, source.Count).ToList();
    }
}
