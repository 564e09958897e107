using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization;

/// <summary>Quantizes the weight of every planned layer (a weight shared by several layers is quantized once).</summary>
public static class LayerWeights
{
    public static IReadOnlyDictionary<string, QuantizedWeights> Quantize(GraphProto graph, QuantizationPlan plan, string source,
        int bits = 8, bool rangeSearch = false)
    {
        var index = new GraphIndex(graph);
        var byWeight = new Dictionary<(string, int?), QuantizedWeights>();
        var result = new Dictionary<string, QuantizedWeights>(StringComparer.Ordinal);
        foreach (var layer in plan.Layers)
        {
            if (!byWeight.TryGetValue((layer.Weight, layer.WeightAxis), out var quantized))
            {
                var tensor = index.Constant(layer.Weight)!;
                var values = TensorData.ToArray<float>(tensor, source);
                if (values.Any(v => !float.IsFinite(v)))
                {
                    throw new AmctException(ErrorCodes.TensorDataMismatch, source,
                        $"layer '{layer.Name}': its weight '{layer.Weight}' contains NaN or Inf. The model is damaged; re-export it.");
                }
                quantized = WeightQuantizer.Quantize(values, tensor.Dims, layer.WeightAxis, bits, rangeSearch);
                byWeight[(layer.Weight, layer.WeightAxis)] = quantized;
            }
            result[layer.Name] = quantized;
        }
        return result;
    }
}
