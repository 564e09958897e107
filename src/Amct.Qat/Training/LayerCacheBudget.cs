using Amct.Qat.Interpreter;
using static TorchSharp.torch;

namespace Amct.Qat.Training;

/// <summary>
/// How many training batches AdaRound keeps, so that what it caches stays within <see cref="Bytes"/>. At a layer's
/// stop it holds, for every batch, the values later nodes still read (<see cref="GraphCursor"/>) and the layer's float
/// outputs (its targets); the widest such stop, measured on one float run of the first batch, gives the bytes per
/// sample. A model whose activations are small keeps every sample; SqueezeNet 1.1 at 224×224 keeps about 280 (its
/// first conv's stop holds the 0.6 MB image and the 3.2 MB output of each sample).
/// </summary>
internal static class LayerCacheBudget
{
    /// <summary>The cache's bound: 1 GiB.</summary>
    public const long Bytes = 1L << 30;

    /// <summary>The number of leading batches to keep (at least one) within <paramref name="budget"/> bytes.</summary>
    public static int Batches(OnnxGraph graph, IReadOnlyList<Dictionary<string, Tensor>> batches, IReadOnlyCollection<int> layerNodes,
        long budget = Bytes)
    {
        if (batches.Count == 0)
        {
            return 0;
        }
        var perSample = BytesPerSample(graph, batches[0], layerNodes);
        var samples = 0L;
        for (var kept = 0; kept < batches.Count; kept++)
        {
            samples += TrainingBatches.SizeOf(batches[kept]);
            if (kept > 0 && samples * perSample > budget)
            {
                return kept;
            }
        }
        return batches.Count;
    }

    /// <summary>The most bytes per sample held at a layer's stop: the values read later plus the layer's output.</summary>
    public static long BytesPerSample(OnnxGraph graph, Dictionary<string, Tensor> batch, IReadOnlyCollection<int> layerNodes)
    {
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            graph.Run(batch, [], new SizeRecorder(sizes));
        }
        var produced = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            foreach (var output in graph.Nodes[i].Output)
            {
                produced[output] = i;
            }
        }
        var lastRead = GraphCursor.LastReads(graph.Nodes);
        var widest = layerNodes.Select(k =>
            sizes.Where(s => produced.GetValueOrDefault(s.Key, -1) < k && lastRead.GetValueOrDefault(s.Key, -1) >= k).Sum(s => s.Value)
            + sizes.GetValueOrDefault(graph.Nodes[k].Output[0])).DefaultIfEmpty(0).Max();
        return Math.Max(1, widest / TrainingBatches.SizeOf(batch));
    }

    /// <summary>Hooks that only note each value's size in bytes.</summary>
    private sealed class SizeRecorder(Dictionary<string, long> sizes) : IGraphHooks
    {
        public Tensor Activation(string name, Tensor value)
        {
            sizes[name] = value.NumberOfElements * value.ElementSize;
            return value;
        }

        public Tensor Constant(string name, Tensor value) => value;
    }
}
