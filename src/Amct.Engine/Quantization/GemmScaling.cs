using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization;

/// <summary>
/// Folds Gemm's alpha into its constant B and beta into its constant C (Y = alpha·A·B + beta·C), so the quantized
/// Gemm computes A·B + C with the scales already applied. Done on the float model before planning, so calibration
/// and weight quantization see the weights the int8 model will use. A shared constant gets a scaled copy.
/// </summary>
public static class GemmScaling
{
    public static int Fold(GraphProto graph, string source)
    {
        var index = new GraphIndex(graph);
        var useCount = graph.Node.SelectMany(n => n.Input).GroupBy(i => i, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var folded = 0;
        foreach (var node in graph.Node.Where(n => n.OpType == "Gemm" && n.Domain is "" or "ai.onnx"))
        {
            var alpha = node.Attribute.FirstOrDefault(a => a.Name == "alpha");
            var beta = node.Attribute.FirstOrDefault(a => a.Name == "beta");
            var changed = false;
            if (alpha is { F: not 1f } && node.Input.Count > 1 && index.Initializers.ContainsKey(node.Input[1]))
            {
                node.Input[1] = Scaled(graph, index.Initializers[node.Input[1]], alpha.F, useCount, source);
                node.Attribute.Remove(alpha);
                changed = true;
            }
            if (beta is { F: not 1f } && node.Input.Count > 2 && index.Initializers.ContainsKey(node.Input[2]))
            {
                node.Input[2] = Scaled(graph, index.Initializers[node.Input[2]], beta.F, useCount, source);
                node.Attribute.Remove(beta);
                changed = true;
            }
            folded += changed ? 1 : 0;
        }
        return folded;
    }

    private static string Scaled(GraphProto graph, TensorProto tensor, float factor, Dictionary<string, int> useCount, string source)
    {
        var values = TensorData.ToArray<float>(tensor, source).Select(v => v * factor).ToArray();
        var shared = useCount.GetValueOrDefault(tensor.Name) > 1;
        var name = shared ? new UniqueNames(graph).Next(tensor.Name + "_scaled") : tensor.Name;
        var scaled = TensorData.FromArray<float>(name, tensor.Dims.ToArray(), values);
        if (shared)
        {
            graph.Initializer.Add(scaled);
        }
        else
        {
            graph.Initializer[graph.Initializer.IndexOf(tensor)] = scaled;
        }
        return name;
    }
}
