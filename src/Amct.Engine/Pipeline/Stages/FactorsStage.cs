using Amct.Engine.Calibration;
using Amct.Engine.Data;
using Amct.Engine.Formats;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>The activations' factors: trained (QAT import), read from a record file, or calibrated on the calibration data.</summary>
internal sealed class FactorsStage() : JobStage("factors", StageTiming.Calibrate)
{
    public override void Run(JobContext context)
    {
        var (request, plan) = (context.Request, context.Plan);
        if (context.TrainedFactors is { } trained)
        {
            context.Factors = trained;
            context.CalibrationInfo = new CalibrationInfo(null, 0, "trained factors (QAT import)");
        }
        else if (request.RecordInput is { } recordPath)
        {
            context.Factors = RecordFactors.FromRecord(plan, RecordReader.Read(recordPath), recordPath);
            context.CalibrationInfo = new CalibrationInfo(null, 0, "record " + Path.GetFullPath(recordPath));
        }
        else if (plan.ObservedTensors.Count == 0)
        {
            context.Factors = [];
            context.CalibrationInfo = new CalibrationInfo(request.CalibrationData, 0, "none needed");
        }
        else
        {
            var dataPath = request.CalibrationData ?? throw new AmctException(ErrorCodes.MissingSetting, context.ModelPath,
                "no calibration data given. Pass the samples to calibrate on (--calibration-data, or CalibrationData " +
                "metadata), or a record file with the factors (--record).");
            var calibration = Calibrate(context, dataPath);
            context.Factors = ActivationFactors.Compute(plan, calibration.Observations, context.Settings.MethodFor,
                context.Settings.Activation);
            context.CalibrationInfo = new CalibrationInfo(Path.GetFullPath(dataPath), calibration.Samples, "calibration");
        }
    }

    private static CalibrationResult Calibrate(JobContext context, string dataPath)
    {
        var (inputs, batchSize, settings, log) = (context.Inputs, context.BatchSize, context.Settings, context.Log);
        using var source = SampleSources.Open(dataPath, inputs, context.DataOptions);
        if (source is Data.Images.ImageSampleSource images)
        {
            log.Info($"image preprocessing: {images.Pipeline.Describe()}");
        }
        var wanted = settings.SamplesFor(batchSize) ?? source.Count;
        if (wanted > source.Count)
        {
            log.Warning(ErrorCodes.TooFewSamples, Path.GetFullPath(dataPath),
                $"{wanted} calibration samples were asked for but the data holds {source.Count}; calibrating on {source.Count}.");
            wanted = source.Count;
        }
        var unused = SampleBatches.UnusedSamples(source, inputs, batchSize, wanted);
        if (unused > 0)
        {
            log.Warning(ErrorCodes.TooFewSamples, Path.GetFullPath(dataPath),
                $"the model's fixed batch size is {batchSize}; the last {unused} samples do not fill a batch and are not used.");
        }
        var total = wanted - unused;
        log.Info($"calibrating on {total} samples from {dataPath} (batch {batchSize}, {context.Plan.ObservedTensors.Count} tensors, method {settings.MethodName})");
        var batches = SampleBatches.Read(source, inputs, batchSize, wanted).Select(b => b.Inputs);
        return Calibrator.Run(context.Model, context.Plan.ObservedTensors, settings.NeedsHistograms, batches,
            Path.GetFullPath(dataPath), done => log.Progress("calibrating samples", done, total));
    }
}
