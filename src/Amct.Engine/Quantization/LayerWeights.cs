using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization;

/// <summary>Weight scales given from outside the model (an AMCT record's <c>scale_w</c>), by layer name.</summary>
/// <param name="ByLayer">The scales of each layer that has some: one for the tensor, or one per output channel.</param>
/// <param name="Source">The file they come from, named in errors.</param>
public sealed record GivenWeightScales(IReadOnlyDictionary<string, float[]> ByLayer, string Source);

/// <summary>Quantizes the weight of every planned layer (a weight shared by several layers is quantized once).</summary>
public static class LayerWeights
{
    public static IReadOnlyDictionary<string, QuantizedWeights> Quantize(GraphProto graph, QuantizationPlan plan, string source,
        int bits = 8, bool rangeSearch = false, GivenWeightScales? given = null)
    {
        var index = new GraphIndex(graph);
        var byWeight = new Dictionary<(string, int?), QuantizedWeights>();
        var result = new Dictionary<string, QuantizedWeights>(StringComparer.Ordinal);
        foreach (var layer in plan.Layers)
        {
            var tensor = index.Constant(layer.Weight)!;
            if (given?.ByLayer.GetValueOrDefault(layer.Name) is { } scales)
            {
                result[layer.Name] = WithGivenScales(layer, tensor, Values(layer.Name, layer.Weight, tensor, source), scales, bits, given.Source);
                continue;
            }
            if (!byWeight.TryGetValue((layer.Weight, layer.WeightAxis), out var quantized))
            {
                quantized = WeightQuantizer.Quantize(Values(layer.Name, layer.Weight, tensor, source), tensor.Dims, layer.WeightAxis, bits, rangeSearch);
                byWeight[(layer.Weight, layer.WeightAxis)] = quantized;
            }
            result[layer.Name] = quantized;
        }
        return result;
    }

    /// <summary>
    /// The int8 weights of a weight-only layer, in the order of its <see cref="WeightOnlyLayer.Weights"/>: always 8 bits
    /// (the point is the file size; the compute stays float), scales from each weight's own range.
    /// </summary>
    public static IReadOnlyList<QuantizedWeights> Quantize(GraphIndex graph, WeightOnlyLayer layer, string source) =>
        layer.Weights.Select(w =>
        {
            var tensor = graph.Constant(w.Tensor)!;
            return WeightQuantizer.Quantize(Values(layer.Name, w.Tensor, tensor, source), tensor.Dims, w.Axis);
        }).ToList();

    private static float[] Values(string layer, string weight, TensorProto tensor, string source)
    {
        var values = TensorData.ToArray<float>(tensor, source);
        if (values.Any(v => !float.IsFinite(v)))
        {
            throw new AmctException(ErrorCodes.TensorDataMismatch, source,
                $"layer '{layer}': its weight '{weight}' contains NaN or Inf. The model is damaged; re-export it.");
        }
        return values;
    }

    /// <summary>
    /// One scale quantizes the weight per tensor, one per output channel per channel (AMCT's record says which by how
    /// many it gives); any other count cannot belong to this weight.
    /// </summary>
    private static QuantizedWeights WithGivenScales(WeightedLayer layer, TensorProto tensor, float[] values, float[] scales,
        int bits, string source)
    {
        if (scales.Length == 1)
        {
            return WeightQuantizer.Quantize(values, tensor.Dims, null, scales, bits);
        }
        var axis = layer.Roles.Weight.ChannelAxis;
        var channels = axis is { } a ? tensor.Dims[a] : 1;
        if (axis is null || scales.Length != channels)
        {
            var expected = axis is null ? "1 (its weight has no channel axis)" : $"1 (per tensor) or {channels} (one per output channel)";
            throw new AmctException(ErrorCodes.RecordWeightScaleCount, source,
                $"record '{layer.Name}': {scales.Length} scale_w values do not fit the layer's weight '{layer.Weight}' " +
                $"(shape [{string.Join(", ", tensor.Dims)}]); it takes {expected}. The record may belong to another " +
                "model or layer: fix the key or the scale_w values.");
        }
        return WeightQuantizer.Quantize(values, tensor.Dims, axis, scales, bits);
    }
}
