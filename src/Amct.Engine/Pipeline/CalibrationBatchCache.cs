using Amct.Engine.Data;

namespace Amct.Engine.Pipeline;

/// <summary>
/// The calibration batches of a job, kept in memory after the first complete read when they fit under a cap, so the
/// later passes over the same samples (bias correction's probe and its output check, output-aware ranges, DMQ's
/// statistics) do not decode them again: decoding and resizing SqueezeNet's 100 photos takes longer than running
/// the int8 model on them. Larger data is read from its source every time, as before.
/// </summary>
internal sealed class CalibrationBatchCache(long maxBytes = 128L << 20)
{
    private (string DataPath, IReadOnlyList<ModelInput> Inputs, SampleSourceOptions Options, int BatchSize, long Samples)? _key;
    private IReadOnlyList<SampleBatch>? _batches;

    /// <summary>
    /// The batches of <paramref name="dataPath"/> (full path) for <paramref name="inputs"/> read with <paramref name="options"/>,
    /// <paramref name="samples"/> samples in <paramref name="batchSize"/>: the kept ones, or those <paramref name="read"/>
    /// yields, kept when they are read to the end and fit.
    /// </summary>
    public IEnumerable<SampleBatch> Read(string dataPath, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options, int batchSize,
        long samples, Func<IEnumerable<SampleBatch>> read)
    {
        var key = (dataPath, inputs, options, batchSize, samples);
        return _batches is { } kept && _key == key ? kept : Recorded(key, read());
    }

    /// <summary>Lets the kept batches go: the passes over the calibration data are over.</summary>
    public void Release() => (_key, _batches) = (null, null);

    private IEnumerable<SampleBatch> Recorded((string, IReadOnlyList<ModelInput>, SampleSourceOptions, int, long) key, IEnumerable<SampleBatch> batches)
    {
        var recorded = new List<SampleBatch>();
        long bytes = 0;
        foreach (var batch in batches)
        {
            if (recorded is not null)
            {
                bytes += batch.Inputs.Values.Sum(t => (long)t.CalculateSize());
                if (bytes <= maxBytes)
                {
                    recorded.Add(batch);
                }
                else
                {
                    recorded = null;
                }
            }
            yield return batch;
        }
        if (recorded is not null)
        {
            (_key, _batches) = (key, recorded);
        }
    }
}
