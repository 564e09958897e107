using Amct.Engine.Calibration;
using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Balancing;

/// <summary>
/// Where the division of a balanced activation by s can be folded so that no node is added: walking up from the
/// activation through Relu (Relu(y)/s = Relu(y/s) for s &gt; 0) and an Add of a per-channel constant (whose constant
/// is divided too), to a producer whose output channels are constants — a MatMul, Gemm or Conv (weight and bias), a Mul
/// by a per-channel constant, or a LayerNormalization over the channels (scale and bias). Every value on the way must
/// be read only by the next node, and the activation only by the balanced layers, or the fold would change other
/// readers.
/// </summary>
internal sealed record ActivationFold(IReadOnlyList<(NodeProto Node, int Input, ChannelLayout Layout)> Edits, string Placement)
{
    public static ActivationFold? Find(GraphIndex index, IReadOnlyDictionary<string, int> uses, BalanceTarget target)
    {
        var graphOutputs = index.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var layers = target.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        if (graphOutputs.Contains(target.Tensor) || uses.GetValueOrDefault(target.Tensor) != target.Layers.Count
            || index.Consumers(target.Tensor).Any(c => !layers.Contains(c.Name)))
        {
            return null;
        }
        var edits = new List<(NodeProto, int, ChannelLayout)>();
        var current = target.Tensor;
        while (index.Producer(current) is { Domain: "" or "ai.onnx" } producer)
        {
            string next;
            switch (producer.OpType)
            {
                case "Relu":
                    next = producer.Input[0];
                    break;
                case "Add" when PerChannelOperand(index, producer, target) is ({ } at, { } layout):
                    edits.Add((producer, at, layout));
                    next = producer.Input[1 - at];
                    break;
                case "Mul" when PerChannelOperand(index, producer, target) is ({ } at, { } layout):
                    edits.Add((producer, at, layout));
                    return Folded(edits, producer);
                case "MatMul" or "Gemm" when target.Axis == ChannelAxis.Last:
                case "Conv" when target.Axis == ChannelAxis.First:
                    return WeightedProducer(index, producer, target, edits) ? Folded(edits, producer) : null;
                case "LayerNormalization" when target.Axis == ChannelAxis.Last && NormalizesLastAxis(producer, target.Rank):
                    return ScaleAndBias(index, producer, target, edits, first: 1) ? Folded(edits, producer) : null;
                default:
                    return null;
            }
            if (graphOutputs.Contains(next) || uses.GetValueOrDefault(next) != 1)
            {
                return null;
            }
            current = next;
        }
        return null;
    }

    private static ActivationFold Folded(List<(NodeProto, int, ChannelLayout)> edits, NodeProto producer) =>
        new(edits, $"folded into '{producer.Name}' ({producer.OpType})");

    /// <summary>The input of a two-input node that is a per-channel initializer, the other being computed.</summary>
    private static (int? At, ChannelLayout? Layout) PerChannelOperand(GraphIndex index, NodeProto node, BalanceTarget target)
    {
        if (node.Input.Count != 2)
        {
            return (null, null);
        }
        for (var at = 0; at < 2; at++)
        {
            if (index.Initializers.TryGetValue(node.Input[at], out var constant) && index.Constant(node.Input[1 - at]) is null
                && constant.DataType == DataTypes.Float
                && ChannelLayout.PerChannel(constant, target.Channels, target.Axis, target.Rank) is { } layout)
            {
                return (at, layout);
            }
        }
        return (null, null);
    }

    /// <summary>A MatMul/Gemm/Conv producing the activation: its weight's output channels and its bias vector.</summary>
    private static bool WeightedProducer(GraphIndex index, NodeProto producer, BalanceTarget target,
        List<(NodeProto, int, ChannelLayout)> edits)
    {
        if (producer.Input.Count < 2 || index.Constant(producer.Input[0]) is not null
            || !index.Initializers.TryGetValue(producer.Input[1], out var weight) || weight.DataType != DataTypes.Float
            || Quantization.GemmScaling.HasUnfoldedScale(producer)
            || ChannelLayout.WeightOutputs(producer, weight) is not { } layout || layout.Channels != target.Channels)
        {
            return false;
        }
        edits.Add((producer, 1, layout));
        if (producer.Input.Count < 3 || producer.Input[2].Length == 0)
        {
            return true;
        }
        // The bias is added per output channel: a vector of one value per channel (anything else would not divide exactly).
        if (!index.Initializers.TryGetValue(producer.Input[2], out var bias) || bias.DataType != DataTypes.Float
            || bias.Dims.Aggregate(1L, (a, b) => a * b) != target.Channels || bias.Dims.Count(d => d != 1) > 1)
        {
            return false;
        }
        edits.Add((producer, 2, new ChannelLayout(target.Channels, i => (int)i)));
        return true;
    }

    private static bool NormalizesLastAxis(NodeProto node, int rank)
    {
        var axis = NodeAttributes.GetInt(node, "axis", -1);
        return axis == -1 || (rank > 0 && axis == rank - 1);
    }

    /// <summary>LayerNormalization's Scale (and optional B): both per channel, both divided.</summary>
    private static bool ScaleAndBias(GraphIndex index, NodeProto node, BalanceTarget target,
        List<(NodeProto, int, ChannelLayout)> edits, int first)
    {
        for (var at = first; at < Math.Min(node.Input.Count, first + 2); at++)
        {
            if (node.Input[at].Length == 0)
            {
                continue;
            }
            if (!index.Initializers.TryGetValue(node.Input[at], out var constant) || constant.DataType != DataTypes.Float
                || ChannelLayout.PerChannel(constant, target.Channels, target.Axis, Math.Max(target.Rank, constant.Dims.Count)) is not { } layout)
            {
                return false;
            }
            edits.Add((node, at, layout));
        }
        return true;
    }
}
