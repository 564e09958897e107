using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;

namespace Amct.Engine.Latency;

/// <summary>
/// The stem group: the int8 layers ONNX Runtime runs poorly because of their input (<c>isStem</c>, e.g. a 3-channel
/// image Conv), together with the int8 layers that read their output through an op ONNX Runtime moves a quantize
/// across (MaxPool, Reshape, Transpose, Squeeze, Unsqueeze, Slice). A float stem ending before such an op costs more
/// than it saves: ONNX Runtime's QDQ propagation moves the quantize above the op onto the stem's larger output and
/// then runs the op in int8 outside its NHWC kernels (SqueezeNet, conv1 alone in float: 1.57× the all-int8 time, its
/// MaxPool the slowest op; conv1 with fire2/squeeze1x1 after the pool: 0.82×, measured in one interleaved run).
/// </summary>
internal static class StemLayers
{
    private static readonly HashSet<string> QuantizeMovesAcross =
        new(["MaxPool", "Reshape", "Transpose", "Squeeze", "Unsqueeze", "Slice"], StringComparer.Ordinal);

    /// <summary>The names of the stem layers of <paramref name="layers"/>; empty when no layer is a stem layer.</summary>
    public static IReadOnlySet<string> Of(GraphProto graph, IReadOnlyList<WeightedLayer> layers, Func<WeightedLayer, bool> isStem)
    {
        var stem = layers.Where(isStem).Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        if (stem.Count == 0)
        {
            return stem;
        }
        var index = new GraphIndex(graph);
        var planned = layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node.Where(n => stem.Contains(n.Name)).ToList())
        {
            // Each value with whether the way to it crossed an op the quantize would be moved across.
            var pending = new Queue<(string Value, bool Moved)>(node.Output.Where(o => o.Length > 0).Select(o => (o, false)));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (pending.Count > 0)
            {
                var (value, moved) = pending.Dequeue();
                foreach (var reader in index.Consumers(value).Where(r => seen.Add(r.Name)))
                {
                    if (planned.Contains(reader.Name))
                    {
                        if (moved)
                        {
                            stem.Add(reader.Name);
                        }
                    }
                    else if (reader.Input.Count(i => i.Length > 0 && index.Constant(i) is null) == 1)
                    {
                        // One data input (Relu, MaxPool, Reshape…): the value passes through; a join (Add, Concat) ends the walk.
                        var movedHere = moved || QuantizeMovesAcross.Contains(reader.OpType);
                        foreach (var output in reader.Output.Where(o => o.Length > 0))
                        {
                            pending.Enqueue((output, movedHere));
                        }
                    }
                }
            }
        }
        return stem;
    }
}
