using Amct.Engine.Calibration;
using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Balancing;

/// <summary>One activation tensor to balance, with every planned layer reading it (they share its factors).</summary>
/// <param name="Tensor">The activation.</param>
/// <param name="Axis">Where its channels are: axis 1 for Conv, the last axis for MatMul and Gemm.</param>
/// <param name="Rank">The activation's rank (what broadcasting a per-channel constant against it needs).</param>
/// <param name="Layers">The balanced layers reading it.</param>
/// <param name="Strength">The migration strength α.</param>
/// <param name="Forced">An AMCT config asked for these layers: balanced whatever their ranges look like.</param>
public sealed record BalanceTarget(string Tensor, ChannelAxis Axis, int Rank, IReadOnlyList<WeightedLayer> Layers, double Strength, bool Forced)
{
    public int Channels { get; init; }
}

/// <summary>What balancing did to one tensor: its factors, and where the division by them went.</summary>
/// <param name="InsertedNode">The Mul node inserted before the layers, or null when the division was folded.</param>
public sealed record BalancedTensor(string Tensor, IReadOnlyList<string> Layers, IReadOnlyList<float> Factors, string Placement, string? InsertedNode);

/// <summary>
/// DMQ balancing as a rewrite of the float graph, before calibration: each balanced layer's weight is multiplied per
/// input channel by s, and the activation divided by s. The division is folded into whatever produces the activation
/// when that is exact (a MatMul/Gemm/Conv's weight and bias, a per-channel Mul or LayerNormalization scale, through
/// Relu and per-channel Add), so the model gains no node; otherwise a Mul by 1/s is inserted before the layers (kept
/// in float, <see cref="PlanOptions.BalanceNodes"/>). The float model computes the same either way.
/// </summary>
public static class DmqBalancer
{
    /// <summary>
    /// The tensors that can be balanced: the planned MatMul, Gemm and ungrouped Conv layers with an initializer weight
    /// whose <paramref name="strengthOf"/> is set, grouped by the activation they read.
    /// </summary>
    public static IReadOnlyList<BalanceTarget> Targets(GraphProto graph, QuantizationPlan plan,
        Func<string, (double Strength, bool Forced)?> strengthOf)
    {
        var index = new GraphIndex(graph);
        var nodes = graph.Node.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var targets = new List<BalanceTarget>();
        foreach (var group in plan.Layers.GroupBy(l => l.ActivationInput, StringComparer.Ordinal))
        {
            var layers = group.Where(l => strengthOf(l.Name) is not null && InputChannels(nodes[l.Name], l, index) is not null).ToList();
            var axes = layers.Select(l => l.OpType == "Conv" ? ChannelAxis.First : ChannelAxis.Last).Distinct().ToList();
            var channels = layers.Select(l => InputChannels(nodes[l.Name], l, index)!.Channels).Distinct().ToList();
            if (axes.Count != 1 || channels.Count != 1)
            {
                continue; // nothing to balance, or layers that disagree on where the channels are
            }
            var settings = layers.Select(l => strengthOf(l.Name)!.Value).ToList();
            var rank = axes[0] == ChannelAxis.First ? index.Initializers[layers[0].Weight].Dims.Count
                : layers[0].OpType == "Gemm" ? 2 : 0;
            targets.Add(new BalanceTarget(group.Key, axes[0], rank, layers, settings.Min(s => s.Strength), settings.Any(s => s.Forced))
            {
                Channels = channels[0],
            });
        }
        return targets;
    }

    /// <summary>max|W| per input channel over every layer of the target (the denominator of the factor).</summary>
    public static double[] WeightMaxima(GraphProto graph, BalanceTarget target)
    {
        var index = new GraphIndex(graph);
        var max = new double[target.Channels];
        foreach (var layer in target.Layers)
        {
            var weight = index.Initializers[layer.Weight];
            var layout = InputChannels(graph.Node.First(n => n.Name == layer.Name), layer, index)!;
            var values = TensorData.ToArray<float>(weight);
            for (var i = 0; i < values.Length; i++)
            {
                var c = layout.ChannelOf(i);
                max[c] = Math.Max(max[c], Math.Abs(values[i]));
            }
        }
        return max;
    }

    /// <summary>Balances one target by <paramref name="factors"/> (one per channel), rewriting <paramref name="graph"/>.</summary>
    public static BalancedTensor Apply(GraphProto graph, BalanceTarget target, IReadOnlyList<float> factors)
    {
        var index = new GraphIndex(graph);
        var constants = new ConstantEditor(graph);
        var nodes = graph.Node.ToDictionary(n => n.Name, StringComparer.Ordinal);
        foreach (var layer in target.Layers)
        {
            var node = nodes[layer.Name];
            constants.Scale(node, layer.Roles.Weight.Input, InputChannels(node, layer, index)!, factors, divide: false);
        }
        if (ActivationFold.Find(index, constants.Uses, target) is { } fold)
        {
            foreach (var (node, input, layout) in fold.Edits)
            {
                constants.Scale(node, input, layout, factors, divide: true);
            }
            return new BalancedTensor(target.Tensor, target.Layers.Select(l => l.Name).ToList(), factors, fold.Placement, null);
        }
        var inserted = InsertDivision(graph, target, factors, nodes);
        return new BalancedTensor(target.Tensor, target.Layers.Select(l => l.Name).ToList(), factors,
            $"Mul '{inserted}' inserted", inserted);
    }

    /// <summary>The layer's weight input channels, or null when balancing does not apply to it.</summary>
    private static ChannelLayout? InputChannels(NodeProto node, WeightedLayer layer, GraphIndex index) =>
        layer.OpType is "MatMul" or "Gemm" or "Conv"
        && layer.Roles.Activation == 0
        && NodeAttributes.GetInt(node, "transA", 0) == 0
        && index.Initializers.TryGetValue(layer.Weight, out var weight)
            ? ChannelLayout.WeightInputs(node, weight)
            : null;

    /// <summary>A Mul by 1/s between the activation and the balanced layers, placed before the first of them.</summary>
    private static string InsertDivision(GraphProto graph, BalanceTarget target, IReadOnlyList<float> factors,
        Dictionary<string, NodeProto> nodes)
    {
        var names = new UniqueNames(graph);
        var inverse = factors.Select(f => 1f / f).ToArray();
        long[] dims = target.Axis == ChannelAxis.Last
            ? [inverse.Length]
            : [inverse.Length, .. Enumerable.Repeat(1L, Math.Max(0, target.Rank - 2))];
        var scale = TensorData.FromArray<float>(names.Next(target.Tensor + "_dmq_inverse"), dims, inverse);
        graph.Initializer.Add(scale);
        var output = names.Next(target.Tensor + "_dmq");
        var mul = new NodeProto { Name = names.Next(target.Tensor + "_dmq"), OpType = "Mul" };
        mul.Input.Add(target.Tensor);
        mul.Input.Add(scale.Name);
        mul.Output.Add(output);
        var layers = target.Layers.Select(l => nodes[l.Name]).ToList();
        graph.Node.Insert(layers.Min(graph.Node.IndexOf), mul);
        foreach (var (layer, node) in target.Layers.Zip(layers))
        {
            node.Input[layer.Roles.Activation] = output;
        }
        return mul.Name;
    }
}
