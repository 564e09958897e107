using Amct.Engine.Data;
using Amct.Engine.Onnx;

namespace Amct.Engine.Pipeline;

/// <summary>
/// The calibration batches of a job: the samples asked for (SampleCount, or the config's batch_num), in whole batches
/// of the job's batch size. Shared by the passes over the calibration data (DMQ's channel statistics,
/// calibration, the layer measurements of bias correction and output-aware ranges). The source is opened and
/// checked on every pass (its warnings are the first pass's to give); its batches are decoded once when they fit in
/// memory (<see cref="CalibrationBatchCache"/>).
/// </summary>
internal static class CalibrationSamples
{
    /// <summary>
    /// Opens <paramref name="dataPath"/> and hands <paramref name="use"/> its batches and how many samples they hold.
    /// <paramref name="quiet"/>: no log lines (the warnings about the data are the calibration's to give, once).
    /// </summary>
    public static T Read<T>(JobContext context, string dataPath, bool quiet,
        Func<IEnumerable<IReadOnlyDictionary<string, TensorProto>>, long, T> use) =>
        ReadBatches(context, dataPath, quiet, (batches, count) => use(batches.Select(b => b.Inputs), count));

    /// <summary>The same samples in the same batches, each with its sample count, for comparing models on them.</summary>
    public static T WithCounts<T>(JobContext context, string dataPath, Func<IEnumerable<SampleBatch>, T> use) =>
        ReadBatches(context, dataPath, quiet: true, (batches, _) => use(batches));

    private static T ReadBatches<T>(JobContext context, string dataPath, bool quiet, Func<IEnumerable<SampleBatch>, long, T> use)
    {
        var (inputs, batchSize, settings) = (context.Inputs, context.BatchSize, context.Settings);
        var log = quiet ? NullJobLog.Instance : context.Log;
        using var source = SampleSources.Open(dataPath, inputs, context.DataOptions);
        if (source is Data.Images.ImageSampleSource images)
        {
            log.Info($"image preprocessing: {images.Pipeline.Describe()}");
        }
        if (UnusedDataSettings.Describe(dataPath, context.DataOptions) is { } unusedSettings)
        {
            log.Warning(ErrorCodes.DataSettingUnused, Path.GetFullPath(dataPath), unusedSettings);
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
        var batches = context.CalibrationBatches.Read(Path.GetFullPath(dataPath), inputs, context.DataOptions, batchSize, wanted,
            () => SampleBatches.Read(source, inputs, batchSize, wanted));
        return use(batches, wanted - unused);
    }

    /// <summary>The same samples in the same batches, for a stage that measures on them after calibration warned about them.</summary>
    public static T With<T>(JobContext context, string dataPath, Func<IEnumerable<IReadOnlyDictionary<string, TensorProto>>, T> use) =>
        Read(context, dataPath, quiet: true, (batches, _) => use(batches));
}
