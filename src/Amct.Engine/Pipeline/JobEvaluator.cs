using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Onnx;

namespace Amct.Engine.Pipeline;

/// <summary>
/// Evaluates quantized candidates of one model on the job's evaluation data: on all of it (for the gate) or on a few
/// chosen samples kept in memory (for the fallback's ranking). Labels are read once.
/// </summary>
/// <param name="unoptimizedReference">Run the reference with graph optimizations off (a QDQ export as it was trained).</param>
internal sealed class JobEvaluator(string floatModelPath, IReadOnlyList<ModelInput> inputs, int batchSize, string dataPath,
    string? labelsPath, SampleSourceOptions dataOptions, bool unoptimizedReference = false) : IDisposable
{
    // One float reference per data set: its outputs are computed once and reused by every candidate.
    private readonly FloatReference _fullReference = new(floatModelPath, unoptimized: unoptimizedReference);
    private readonly FloatReference _subsetReference = new(floatModelPath, unoptimized: unoptimizedReference);

    private long[]? _labels;

    /// <summary>The samples it evaluates on.</summary>
    public string DataPath => dataPath;
    private (IReadOnlySet<long> Indices, IReadOnlyList<InputBatch> Batches)? _subset;

    public EvaluationResult Full(ModelProto quantized)
    {
        using var source = SampleSources.Open(dataPath, inputs, dataOptions);
        // Labels are matched to samples by name where the format allows (CSV rows to image files), else by position.
        _labels ??= labelsPath is null ? null : Labels.Read(labelsPath, source);
        var batches = SampleBatches.Read(source, inputs, batchSize).Select(b => new InputBatch(b.Inputs, b.Count));
        return ModelEvaluator.Compare(_fullReference, quantized, batches, _labels, floatModelPath);
    }

    /// <summary>The samples whose output the quantized model matches worst (lowest cosine similarity).</summary>
    public static IReadOnlySet<long> WorstSamples(EvaluationResult evaluation, int count)
    {
        var primary = evaluation.Outputs.FirstOrDefault(o => o.Output == evaluation.LabeledOutput) ?? evaluation.Outputs[0];
        return primary.SampleCosines
            .Select((cosine, index) => (cosine, index: (long)index))
            .OrderBy(x => x.cosine).ThenBy(x => x.index)
            .Take(count)
            .Select(x => x.index)
            .ToHashSet();
    }

    public EvaluationResult OnSubset(ModelProto quantized, IReadOnlySet<long> indices)
    {
        if (_subset is not { } subset || !ReferenceEquals(subset.Indices, indices))
        {
            using var source = SampleSources.Open(dataPath, inputs, dataOptions);
            _subset = subset = (indices, SampleSubset.Select(source, inputs, indices, batchSize));
        }
        return ModelEvaluator.Compare(_subsetReference, quantized, subset.Batches, null, floatModelPath);
    }

    public void Dispose()
    {
        _fullReference.Dispose();
        _subsetReference.Dispose();
    }
}
