using Amct.Engine.Data;
using Amct.Engine.Evaluation;

namespace Amct.Engine.Pipeline;

/// <summary>The batch latency is timed on: the first sample of the evaluation data, else of the calibration data.</summary>
internal static class TimingSample
{
    /// <summary>Null when the job has no data or the data holds no sample.</summary>
    public static InputBatch? Read(JobContext context)
    {
        var request = context.Request;
        if ((request.EvaluationData ?? request.CalibrationData) is not { } data)
        {
            return null;
        }
        using var source = SampleSources.Open(data, context.Inputs, context.DataOptions);
        // One sample where the model's batch size is free: the latency a single request sees.
        var batchSize = SampleBatches.ChooseBatchSize(context.Inputs, 1);
        return SampleBatches.Read(source, context.Inputs, batchSize).FirstOrDefault() is { } first
            ? new InputBatch(first.Inputs, first.Count)
            : null;
    }

    /// <summary>e.g. <c>2 threads</c>.</summary>
    public static string Threads(int threads) => threads == 1 ? "1 thread" : $"{threads} threads";
}
