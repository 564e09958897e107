using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization.Rules;

namespace Amct.Engine.Quantization;

/// <summary>A layer whose weight can be quantized to int8.</summary>
public sealed record QuantizableLayer(string Name, string OpType, string WeightName, IReadOnlyList<long> WeightShape);

/// <summary>
/// Finds the layers with a weight we can quantize: nodes of a weighted op (<see cref="OpRules.WeightedOpTypes"/>) whose
/// weight, where the op's rule says it sits, is a float constant. A weight computed at run time cannot be quantized
/// ahead of time.
/// </summary>
public static class QuantizableLayers
{
    public static IReadOnlyList<QuantizableLayer> Find(GraphProto graph)
    {
        var index = new GraphIndex(graph);
        var layers = new List<QuantizableLayer>();
        foreach (var node in graph.Node)
        {
            if (OpRules.WeightedFor(node)?.Roles(node, index) is not { } roles || node.Input.Count <= roles.Weight.Input)
            {
                continue;
            }
            var weightName = node.Input[roles.Weight.Input];
            if (index.Constant(weightName) is { } weight && weight.DataType == DataTypes.Float)
            {
                layers.Add(new QuantizableLayer(LayerNames.Of(node), node.OpType, weightName, weight.Dims.ToList()));
            }
        }
        return layers;
    }
}
