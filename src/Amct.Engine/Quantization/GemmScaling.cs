using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization;

/// <summary>
/// Everything about Gemm's alpha and beta (Y = alpha·A·B + beta·C): they are folded into the constant B and C, so the
/// quantized Gemm computes A·B + C with the scales already applied. Done on the float model before planning, so
/// calibration and weight quantization see the weights the int8 model will use. A shared constant gets a scaled copy.
/// </summary>
public static class GemmScaling
{
    /// <summary>True when alpha, or beta with a C to scale, is not 1: the fold could not apply it (B or C computed).</summary>
    public static bool HasUnfoldedScale(NodeProto node) =>
        node.Attribute.Any(a => a.Name == "alpha" && a.F != 1f)
        || (node.Input.Count > 2 && node.Input[2].Length > 0 && node.Attribute.Any(a => a.Name == "beta" && a.F != 1f));

    /// <summary>
    /// Drops alpha and beta from a quantized Gemm: they are 1 (folded), and the int8 Gemm states none so that ONNX
    /// Runtime's QGemm fusion sees a plain A·B + C.
    /// </summary>
    public static void RemoveScaleAttributes(NodeProto node)
    {
        foreach (var attribute in node.Attribute.Where(a => a.Name is "alpha" or "beta").ToList())
        {
            node.Attribute.Remove(attribute);
        }
    }

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
