using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;

namespace Amct.Engine.Latency;

/// <summary>Layers of one kind, tried in float together: ONNX Runtime picks its kernels by kind, not by layer.</summary>
public sealed record LayerGroup(string Kind, IReadOnlyList<string> Layers);

/// <summary>
/// Groups the int8 layers by the kernel family ONNX Runtime runs them with. The stem comes first, then depthwise
/// convolutions: their int8 kernels are the ones its float convolutions most often beat. A search over groups rather
/// than layers keeps the number of timed candidates small (a handful, whatever the model's size).
/// </summary>
internal static class LayerGroups
{
    public const string Stem = "stem Conv";
    public const string Depthwise = "depthwise Conv";
    public const string Grouped = "grouped Conv";
    public const string Pointwise = "pointwise (1×1) Conv";
    public const string Standard = "standard Conv";

    private static readonly string[] ConvOrder = [Stem, Depthwise, Grouped, Pointwise, Standard];

    /// <summary>The groups of <paramref name="layers"/>, convolutions in <see cref="ConvOrder"/>, then other op types by name.</summary>
    public static IReadOnlyList<LayerGroup> Of(GraphProto graph, IReadOnlyList<WeightedLayer> layers)
    {
        var nodes = graph.Node.Where(n => n.Name.Length > 0).GroupBy(n => n.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var weights = graph.Initializer.GroupBy(i => i.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var stem = StemLayers.Of(graph, layers, l => IsNarrowInput(l, nodes.GetValueOrDefault(l.Name), weights.GetValueOrDefault(l.Weight)));
        return layers
            .GroupBy(l => stem.Contains(l.Name) ? Stem : KindOf(l, nodes.GetValueOrDefault(l.Name), weights.GetValueOrDefault(l.Weight)))
            .OrderBy(g => Array.IndexOf(ConvOrder, g.Key) is var i and >= 0 ? i : ConvOrder.Length)
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new LayerGroup(g.Key, g.Select(l => l.Name).ToList()))
            .ToList();
    }

    private static string KindOf(WeightedLayer layer, NodeProto? node, TensorProto? weight)
    {
        if (layer.OpType != "Conv" || node is null || weight is null || weight.Dims.Count < 3)
        {
            return layer.OpType;
        }
        var group = NodeAttributes.GetInt(node, "group", 1);
        if (group > 1)
        {
            // Weight [M, C/group, k...]: one input channel per group is depthwise.
            return weight.Dims[1] == 1 ? Depthwise : Grouped;
        }
        return weight.Dims.Skip(2).All(d => d == 1) ? Pointwise : Standard;
    }

    /// <summary>
    /// A Conv (not 1×1, not grouped) whose input channels are not a multiple of 4, e.g. the first Conv of an image net
    /// (1 or 3 channels): ONNX Runtime's fast int8 convolution (indirect, with the requantization fused) takes input
    /// channels in fours, so such a layer falls back to unfolding its input (im2col) into a GEMM, several times slower
    /// than its float kernel on the same layer (SqueezeNet's conv1: measured 3–5× on an AVX512-VNNI Xeon).
    /// </summary>
    private static bool IsNarrowInput(WeightedLayer layer, NodeProto? node, TensorProto? weight) =>
        layer.OpType == "Conv" && node is not null && weight is not null && weight.Dims.Count >= 3
        && NodeAttributes.GetInt(node, "group", 1) == 1
        && !weight.Dims.Skip(2).All(d => d == 1)
        && weight.Dims[1] % 4 != 0;
}
