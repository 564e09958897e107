using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// Turns the float tensors some exporters (PaddlePaddle, older TensorFlow converters) store in <c>Constant</c> nodes
/// into initializers of the same name. Weights then look like every other weight: the quantizer replaces the float
/// initializer by its int8 copy and drops it (a Constant node holding the float weight would stay in the output),
/// and <c>amct inspect</c> counts them as parameters. Only floating-point tensors of rank 1 or more move: integer
/// Constants are shape and index arguments the quantizer never touches, and scalars are operands (an exponent, an
/// epsilon), not parameters. Subgraph Constants stay in their subgraph's scope.
/// </summary>
public static class ConstantNodeInitializers
{
    private static readonly HashSet<int> FloatTypes = [DataTypes.Float, DataTypes.Double, DataTypes.Float16, DataTypes.BFloat16];

    /// <summary>Moves the graph's float Constant node values into initializers; returns the values moved.</summary>
    public static IReadOnlyList<string> Apply(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var moved = new List<string>();
        var kept = new List<NodeProto>();
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (WeightOf(node) is { } tensor && !graphOutputs.Contains(node.Output[0]))
            {
                var initializer = tensor.Clone();
                initializer.Name = node.Output[0];
                graph.Initializer.Add(initializer);
                moved.Add(initializer.Name);
            }
            else
            {
                kept.Add(node);
            }
        }
        if (moved.Count > 0)
        {
            graph.Node.Clear();
            graph.Node.AddRange(kept);
        }
        return moved;
    }

    /// <summary>The float tensor of rank ≥ 1 a default-domain Constant node holds in its <c>value</c> attribute (a
    /// parameter, as the class summary says), or null.</summary>
    public static TensorProto? WeightOf(NodeProto node) =>
        node is { OpType: "Constant", Domain: "" or "ai.onnx", Output.Count: 1 }
        && node.Attribute.Count == 1
        && node.Attribute[0] is { Name: "value", T: { } tensor }
        && FloatTypes.Contains(tensor.DataType)
        && tensor.Dims.Count > 0
        && tensor.DataLocation != TensorProto.Types.DataLocation.External
            ? tensor
            : null;
}
