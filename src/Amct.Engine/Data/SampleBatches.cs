using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.Engine.Data;

/// <summary>
/// Stacks samples into batches the model accepts. A model whose inputs fix their first dimension (to 1, or to F)
/// takes exactly that many samples per run; a model with a dynamic first dimension takes any batch size.
/// </summary>
public static class SampleBatches
{
    /// <summary>
    /// The batch size to run the model with: the inputs' fixed first dimension when one is fixed (1 or F; inputs
    /// that fix different sizes are an error), else <paramref name="requested"/>.
    /// </summary>
    public static int ChooseBatchSize(IReadOnlyList<ModelInput> inputs, int requested = 16)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(requested, 1);
        return FixedBatchSize(inputs) ?? requested;
    }

    /// <summary>
    /// The samples of <paramref name="source"/> (at most <paramref name="maxSamples"/>) in batches of
    /// <paramref name="batchSize"/>. With a fixed batch size the model accepts nothing else, so a last partial batch
    /// is not produced (see <see cref="UnusedSamples"/>); with a dynamic one it is. Samples whose dynamic dims differ
    /// cannot share a tensor: with a dynamic batch size a new batch starts where the sample shape changes.
    /// </summary>
    /// <param name="source">The samples.</param>
    /// <param name="inputs">The model inputs the samples feed.</param>
    /// <param name="batchSize">Samples per batch: <see cref="ChooseBatchSize"/>'s choice.</param>
    /// <param name="maxSamples">Read at most this many samples, or all when null.</param>
    public static IEnumerable<SampleBatch> Read(ISampleSource source, IReadOnlyList<ModelInput> inputs, int batchSize,
        long? maxSamples = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckBatchSize(inputs, batchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(maxSamples ?? 0, nameof(maxSamples));
        var isFixed = FixedBatchSize(inputs) is not null;
        return ReadBatches(source, inputs, batchSize, isFixed, maxSamples ?? long.MaxValue);
    }

    /// <summary>
    /// How many samples <see cref="Read"/> leaves out: with a fixed batch size F, the last (count mod F) samples
    /// that do not fill a batch; with a dynamic batch size, none. Callers warn about them, and stop when it equals
    /// the sample count (fewer samples than one batch: nothing is produced at all).
    /// </summary>
    public static long UnusedSamples(ISampleSource source, IReadOnlyList<ModelInput> inputs, int batchSize,
        long? maxSamples = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        CheckBatchSize(inputs, batchSize);
        var used = Math.Min(source.Count, maxSamples ?? long.MaxValue);
        return FixedBatchSize(inputs) is null ? 0 : used % batchSize;
    }

    /// <summary>
    /// The fixed first dimension the inputs share, or null when every input's first dimension is dynamic. Inputs
    /// that fix different sizes cannot be fed together: an error whose target is <paramref name="target"/>.
    /// </summary>
    internal static int? FixedBatchSize(IReadOnlyList<ModelInput> inputs, string? target = null)
    {
        if (AreWhole(inputs))
        {
            return 1; // one sample, one run
        }
        var fixedSizes = inputs
            .Where(i => i.Shape.Count > 0 && i.Shape[0] is not null)
            .Select(i => i.Shape[0]!.Value)
            .Distinct()
            .ToList();
        if (fixedSizes.Count > 1 || fixedSizes.Any(size => size > int.MaxValue))
        {
            throw new AmctException(ErrorCodes.InputNotBatchable, target ?? inputs[0].Name,
                $"the model's inputs fix batch sizes that no number of samples fits ({DataErrors.InputList(inputs)}). " +
                "Export the model with one batch size on every input, or a dynamic one.");
        }
        return fixedSizes.Count == 0 ? null : (int)fixedSizes[0];
    }

    /// <summary>Whether the inputs are fed whole, one sample per run (<see cref="ModelInput.Whole"/>).</summary>
    public static bool AreWhole(IReadOnlyList<ModelInput> inputs) => inputs.Count > 0 && inputs.All(i => i.Whole);

    private static void CheckBatchSize(IReadOnlyList<ModelInput> inputs, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (FixedBatchSize(inputs) is { } required && batchSize != required)
        {
            throw new ArgumentException(
                $"the model's inputs fix the batch size to {required}; use ChooseBatchSize", nameof(batchSize));
        }
    }

    private static IEnumerable<SampleBatch> ReadBatches(ISampleSource source, IReadOnlyList<ModelInput> inputs,
        int batchSize, bool isFixed, long maxSamples)
    {
        // A fixed batch can be far larger than the data (a model may fix it to anything): grow as samples come.
        var pending = new List<Sample>(Math.Min(batchSize, 256));
        long taken = 0;
        foreach (var sample in maxSamples > 0 ? source.Read() : [])
        {
            if (pending.Count > 0 && !SameShapes(pending[0], sample))
            {
                if (isFixed)
                {
                    throw new AmctException(ErrorCodes.DataShapeMismatch, source.Description,
                        $"samples {DataErrors.Count(pending[0].Index)} and {DataErrors.Count(sample.Index)} have " +
                        $"different shapes ({ShapesText(pending[0])} and {ShapesText(sample)}) but the model's fixed " +
                        $"batch of {batchSize} needs them in one tensor. Give every sample the same shape.");
                }
                yield return Stack(pending, inputs);
                pending.Clear();
            }
            pending.Add(sample);
            if (pending.Count == batchSize)
            {
                yield return Stack(pending, inputs);
                pending.Clear();
            }
            // Stop before reading a sample that would not be used.
            if (++taken == maxSamples)
            {
                break;
            }
        }
        if (pending.Count > 0 && !isFixed)
        {
            yield return Stack(pending, inputs);
        }
    }

    private static bool SameShapes(Sample first, Sample other) =>
        first.Inputs.All(pair => pair.Value.Dims.Equals(other.Inputs[pair.Key].Dims));

    private static string ShapesText(Sample sample) =>
        string.Join(", ", sample.Inputs.Select(pair => $"'{pair.Key}' {DataErrors.Dims(pair.Value.Dims)}"));

    /// <summary>One tensor per input: the samples' rows back to back, dims [count, ...row dims].</summary>
    private static SampleBatch Stack(List<Sample> samples, IReadOnlyList<ModelInput> inputs)
    {
        if (AreWhole(inputs))
        {
            // A whole sample is a complete feed (fixed inputs included): nothing to stack.
            return new SampleBatch(samples[0].Index, 1, samples[0].Inputs);
        }
        var tensors = new Dictionary<string, TensorProto>(inputs.Count, StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var first = samples[0].Inputs[input.Name];
            var rowLength = first.RawData.Length;
            var bytes = new byte[checked(rowLength * samples.Count)];
            for (var i = 0; i < samples.Count; i++)
            {
                samples[i].Inputs[input.Name].RawData.Span.CopyTo(bytes.AsSpan(i * rowLength));
            }
            var tensor = new TensorProto
            {
                Name = input.Name,
                DataType = first.DataType,
                RawData = UnsafeByteOperations.UnsafeWrap(bytes),
            };
            tensor.Dims.Add(samples.Count);
            tensor.Dims.AddRange(first.Dims);
            tensors[input.Name] = tensor;
        }
        return new SampleBatch(samples[0].Index, samples.Count, tensors);
    }
}
