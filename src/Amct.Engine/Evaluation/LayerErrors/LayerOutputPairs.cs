using Amct.Engine.Onnx;
using Amct.Engine.Quantization;

namespace Amct.Engine.Evaluation.LayerErrors;

/// <summary>
/// A tensor of the float model and the tensor of the int8 model that holds the same values, quantized: the pair a
/// per-layer comparison reads.
/// </summary>
/// <param name="Layer">The int8 layer.</param>
/// <param name="OpType">Its op type.</param>
/// <param name="FloatTensor">The layer's output in the float model (after the activation folded into it, if any).</param>
/// <param name="QuantizedTensor">The same values in the int8 model, as its consumers read them.</param>
public sealed record LayerOutputPair(string Layer, string OpType, string FloatTensor, string QuantizedTensor);

/// <summary>
/// Finds, for every int8 layer of a plan, which tensor of the int8 model to compare with which of the float model
/// (ONNX Runtime's qdq_loss_debug pairs them the same way): the float model's output of the layer — or of the Relu/Clip
/// folded into it, whose output name the int8 model's layer took over — against the int8 model's tensor of that name
/// after its QuantizeLinear → DequantizeLinear pair, or the tensor itself when its output is not quantized (logits).
/// </summary>
public static class LayerOutputPairs
{
    /// <param name="floatGraph">The prepared float graph the plan was made for.</param>
    /// <param name="quantizedGraph">The int8 model built from it.</param>
    /// <param name="plan">The plan the int8 model was built from (its layers are the int8 ones).</param>
    public static IReadOnlyList<LayerOutputPair> Find(GraphProto floatGraph, GraphProto quantizedGraph, QuantizationPlan plan)
    {
        var floatProducers = Producers(floatGraph);
        var quantizedProducers = Producers(quantizedGraph);
        var folded = plan.Folds.ToDictionary(f => f.ProducerOutput, f => f.Output, StringComparer.Ordinal);
        var nodeIndex = floatGraph.Node.Select((n, i) => (n.Name, i)).GroupBy(x => x.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().i, StringComparer.Ordinal);
        var pairs = new List<(int Index, LayerOutputPair Pair)>();
        foreach (var layer in plan.Layers)
        {
            if (!nodeIndex.TryGetValue(layer.Name, out var index) || floatGraph.Node[index].Output.Count == 0)
            {
                continue;
            }
            var output = floatGraph.Node[index].Output[0];
            output = folded.GetValueOrDefault(output, output);
            if (!floatProducers.ContainsKey(output) || !quantizedProducers.ContainsKey(output))
            {
                continue;
            }
            pairs.Add((index, new LayerOutputPair(layer.Name, layer.OpType, output, Dequantized(quantizedGraph, output))));
        }
        // Graph order is topological (ONNX requires it): the order the error travels in.
        return pairs.OrderBy(p => p.Index).Select(p => p.Pair).ToList();
    }

    /// <summary>The output of the DequantizeLinear behind the QuantizeLinear that reads <paramref name="tensor"/>, or the tensor.</summary>
    private static string Dequantized(GraphProto graph, string tensor)
    {
        var quantize = graph.Node.FirstOrDefault(n => n.OpType == "QuantizeLinear" && n.Input.Count > 0 && n.Input[0] == tensor);
        if (quantize is null || quantize.Output.Count == 0)
        {
            return tensor;
        }
        var dequantize = graph.Node.FirstOrDefault(n => n.OpType == "DequantizeLinear" && n.Input.Count > 0 && n.Input[0] == quantize.Output[0]);
        return dequantize is { Output.Count: > 0 } ? dequantize.Output[0] : tensor;
    }

    private static Dictionary<string, NodeProto> Producers(GraphProto graph)
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers.TryAdd(output, node);
            }
        }
        return producers;
    }
}
