using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization;

/// <summary>A layer whose weight can be quantized to int8.</summary>
public sealed record QuantizableLayer(string Name, string OpType, string WeightName, IReadOnlyList<long> WeightShape);

/// <summary>
/// Finds the layers with a weight we can quantize: Conv, ConvTranspose, Gemm and MatMul whose weight input (the
/// second input) is a constant. A weight computed at run time cannot be quantized ahead of time.
/// </summary>
public static class QuantizableLayers
{
    private static readonly HashSet<string> WeightedOps = ["Conv", "ConvTranspose", "Gemm", "MatMul"];

    public static IReadOnlyList<QuantizableLayer> Find(GraphProto graph)
    {
        var index = new GraphIndex(graph);
        var layers = new List<QuantizableLayer>();
        foreach (var node in graph.Node)
        {
            if (node.Domain is not ("" or "ai.onnx") || !WeightedOps.Contains(node.OpType) || node.Input.Count < 2)
            {
                continue;
            }
            if (index.Constant(node.Input[1]) is { } weight && weight.DataType == DataTypes.Float)
            {
                layers.Add(new QuantizableLayer(LayerNames.Of(node), node.OpType, node.Input[1], weight.Dims.ToList()));
            }
        }
        return layers;
    }
}
