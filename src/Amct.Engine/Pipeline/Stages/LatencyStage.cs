using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Latency;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Times the model that ships against the float one (after the gate and the fallback settled it, before anything is
/// written) on one sample of the evaluation data, else the calibration data, and warns when int8 is the slower one.
/// The figures go to the reports only: the model and the record are the same whatever the timing.
/// </summary>
internal sealed class LatencyStage(ILatencyMeter meter) : JobStage("latency", StageTiming.Evaluate)
{
    /// <summary>
    /// No warning when int8 is slower by less than this: on a tiny model both runs are ONNX Runtime's per-run
    /// overhead (tens of microseconds), and a ratio above 1 there says nothing about the kernels.
    /// </summary>
    internal const double MinSlowdownMs = 0.05;

    public LatencyStage()
        : this(OrtLatencyMeter.Default)
    {
    }

    public override void Run(JobContext context)
    {
        var request = context.Request;
        var data = request.EvaluationData ?? request.CalibrationData;
        if (!request.MeasureLatency || context.NothingToQuantize || !context.KeepOutputs || data is null)
        {
            return;
        }
        InputBatch batch;
        using (var source = SampleSources.Open(data, context.Inputs, context.DataOptions))
        {
            // One sample where the model's batch size is free: the latency a single request sees.
            var batchSize = SampleBatches.ChooseBatchSize(context.Inputs, 1);
            if (SampleBatches.Read(source, context.Inputs, batchSize).FirstOrDefault() is not { } first)
            {
                return;
            }
            batch = new InputBatch(first.Inputs, first.Count);
        }
        var threads = request.LatencyThreads ?? 1;
        var latency = meter.Measure(context.Original, context.Quantized, batch, threads, context.ModelPath);
        context.Latency = latency;
        context.Log.Info($"{latency.Describe()} (float {latency.FloatMs:0.###} ms, int8 {latency.Int8Ms:0.###} ms, " +
            $"median of {latency.Rounds} rounds, {threads} thread{(threads == 1 ? "" : "s")})");
        if (latency.Ratio > 1.0 && latency.Int8Ms - latency.FloatMs >= MinSlowdownMs)
        {
            context.Log.Warning(ErrorCodes.Int8SlowerThanFloat, context.ModelPath,
                $"the int8 model is slower than the float one here ({latency.Describe()} at {threads} " +
                $"thread{(threads == 1 ? "" : "s")}). ONNX Runtime's float kernels can beat its int8 ones on some layers, e.g. " +
                "its blocked (NCHWc) float convolutions on small depthwise layers. Keep those layers in float (SkipLayers, " +
                "--skip-layers; the report lists the ops ONNX Runtime runs), or ship the float model.");
        }
    }
}
