using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// Folds a Reshape, Flatten or Identity whose data input is an initializer into a new initializer holding the
/// reshaped tensor. Some exporters store a weight in another shape and reshape it in the graph (the ONNX model zoo's
/// MNIST reshapes its [16,4,4,10] initializer to the [256,10] MatMul weight); folded, the weight is a constant the
/// quantizer can see. The values and their order do not change, only the dims. An initializer that is also a graph
/// input (an input with a default, IR ≥ 4) is not folded: the caller may feed another value.
/// </summary>
public static class ConstantReshapeFolding
{
    /// <summary>Folds every such node of the graph; returns the names of the nodes folded.</summary>
    public static IReadOnlyList<string> Apply(GraphProto graph, string source)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var fixedValues = graph.Input.Select(i => i.Name).Concat(graph.Output.Select(o => o.Name))
            .ToHashSet(StringComparer.Ordinal);
        var folded = new List<string>();
        var kept = new List<NodeProto>();
        foreach (var node in graph.Node)
        {
            var data = node.Input.Count > 0 && !fixedValues.Contains(node.Input[0]) ? initializers.GetValueOrDefault(node.Input[0]) : null;
            var dims = data is null || node.Output.Count != 1 || fixedValues.Contains(node.Output[0]) || initializers.ContainsKey(node.Output[0])
                ? null
                : OutputDims(node, data.Dims.ToArray(), initializers, source);
            if (dims is null)
            {
                kept.Add(node);
                continue;
            }
            var result = data!.Clone();
            result.Name = node.Output[0];
            result.Dims.Clear();
            result.Dims.AddRange(dims);
            graph.Initializer.Add(result);
            initializers[result.Name] = result;
            folded.Add(LayerNames.Of(node));
        }
        if (folded.Count > 0)
        {
            graph.Node.Clear();
            graph.Node.AddRange(kept);
        }
        return folded;
    }

    /// <summary>The output dims of a foldable node, or null when the node is not one or its shape is not constant.</summary>
    private static long[]? OutputDims(NodeProto node, long[] input, IReadOnlyDictionary<string, TensorProto> initializers, string source)
    {
        if (node.Domain is not ("" or "ai.onnx"))
        {
            return null;
        }
        var count = input.Aggregate(1L, (a, d) => a * d);
        switch (node.OpType)
        {
            case "Identity":
                return input;
            case "Flatten":
                var axis = NodeAttributes.GetInt(node, "axis", 1);
                axis = axis < 0 ? axis + input.Length : axis;
                if (axis < 0 || axis > input.Length)
                {
                    return null;
                }
                var outer = input.Take((int)axis).Aggregate(1L, (a, d) => a * d);
                return [outer, outer == 0 ? 0 : count / outer];
            case "Reshape" when node.Input.Count > 1 && initializers.GetValueOrDefault(node.Input[1]) is { DataType: DataTypes.Int64 } shape
                && !NodeAttributes.Has(node, "shape"):
                return ReshapeDims(input, TensorData.ToArray<long>(shape, source), NodeAttributes.GetInt(node, "allowzero", 0) != 0, count);
            default:
                return null;
        }
    }

    /// <summary>Reshape's rules: 0 copies the input's dim (unless allowzero), one -1 takes what is left.</summary>
    private static long[]? ReshapeDims(long[] input, long[] shape, bool allowZero, long count)
    {
        var dims = new long[shape.Length];
        var inferred = -1;
        long known = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            dims[i] = shape[i] == 0 && !allowZero ? (i < input.Length ? input[i] : -2) : shape[i];
            if (dims[i] == -1 && inferred < 0)
            {
                inferred = i;
            }
            else if (dims[i] < 0)
            {
                return null;
            }
            else
            {
                known *= dims[i];
            }
        }
        if (inferred >= 0)
        {
            if (known == 0 || count % known != 0)
            {
                return null;
            }
            dims[inferred] = count / known;
        }
        return dims.Aggregate(1L, (a, d) => a * d) == count ? dims : null;
    }
}
