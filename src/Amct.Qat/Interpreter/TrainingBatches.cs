using System.Runtime.InteropServices;
using Amct.Engine;
using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>
/// The training samples regrouped into batches of about <see cref="Samples"/> when the model's batches are smaller.
/// A model that fixes its batch size at 1 gets one-sample batches from the engine, as ONNX Runtime needs; the
/// interpreter is not bound to that shape, and one step on 16 samples costs far less than 16 steps on one (per step,
/// the optimizer and AdaRound's regularizer touch every weight). Merging is done only when the float model computes two
/// batches run together as it computes them one by one — a graph that reshapes to a fixed batch of 1 does not (SqueezeNet
/// 1.1's file reshapes its scores to [1, 1000, 1, 1]), and keeps its batches.
/// </summary>
internal static class TrainingBatches
{
    /// <summary>The samples a merged batch holds: the engine's default batch size.</summary>
    public const int Samples = 16;

    /// <summary>
    /// <paramref name="batches"/> merged, <see cref="Samples"/> samples a batch where possible (the inputs given up are
    /// disposed); otherwise <paramref name="batches"/> themselves.
    /// </summary>
    public static List<Dictionary<string, Tensor>> Merge(OnnxGraph graph, List<Dictionary<string, Tensor>> batches) =>
        Merge(graph, batches, out _);

    /// <param name="group">How many of <paramref name="batches"/> make one merged batch (consecutive ones); 1 when
    /// they stay as they are. <see cref="Group{T}"/> merges what goes with the batches (their labels) alike.</param>
    public static List<Dictionary<string, Tensor>> Merge(OnnxGraph graph, List<Dictionary<string, Tensor>> batches, out int group)
    {
        group = 1;
        var size = batches.Count > 0 ? SizeOf(batches[0]) : 0;
        if (batches.Count < 2 || size * 2 > Samples || batches.Any(b => SizeOf(b) != size) || !Batchable(graph, batches[0], batches[1]))
        {
            return batches;
        }
        group = Samples / (int)size;
        var merged = batches.Chunk(group).Select(g => Concat(g)).ToList();
        foreach (var tensor in batches.SelectMany(b => b.Values))
        {
            tensor.Dispose();
        }
        return merged;
    }

    /// <summary>Per-sample values of each batch (labels, say) regrouped as <see cref="Merge(OnnxGraph, List{Dictionary{string, Tensor}}, out int)"/> regrouped the batches.</summary>
    public static List<T[]> Group<T>(IReadOnlyList<T[]> perBatch, int group) =>
        perBatch.Chunk(group).Select(g => g.SelectMany(values => values).ToArray()).ToList();

    /// <summary>The samples in a batch: the first dimension of its inputs (they share it).</summary>
    public static long SizeOf(IReadOnlyDictionary<string, Tensor> batch) => batch.Values.First().shape[0];

    private static Dictionary<string, Tensor> Concat(Dictionary<string, Tensor>[] group) =>
        group[0].Keys.ToDictionary(name => name, name => cat(group.Select(b => b[name]).ToArray(), 0), StringComparer.Ordinal);

    /// <summary>Whether the float model on <paramref name="first"/> and <paramref name="second"/> together equals it on each.</summary>
    private static bool Batchable(OnnxGraph graph, Dictionary<string, Tensor> first, Dictionary<string, Tensor> second)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        try
        {
            var together = graph.Run(Concat([first, second])).Select(t => t.to(ScalarType.Float32)).ToArray();
            var apart = graph.Run(first).Zip(graph.Run(second), (a, b) => cat([a, b], 0).to(ScalarType.Float32)).ToArray();
            return together.Zip(apart).All(p => p.First.shape.SequenceEqual(p.Second.shape)
                && (p.First - p.Second).abs().max().item<float>() <= 1e-4 * (1 + p.Second.abs().max().item<float>()));
        }
        catch (Exception e) when (e is ExternalException or AmctException or ArgumentException or InvalidOperationException)
        {
            // libtorch refusing a shape (a Reshape to a fixed batch, say): the graph runs one batch size only.
            return false;
        }
    }
}
