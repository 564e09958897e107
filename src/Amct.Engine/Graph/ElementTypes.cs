using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// The element type of every tensor of a graph, from declared types (inputs, outputs, value_info, initializers) and,
/// for the rest, a forward pass with the few rules that matter: ops that produce indices or shapes give int64,
/// comparisons give bool, Cast gives its target, Constant its value's type, If its branch outputs' declared types,
/// and everything else keeps the type of its first input. Only float32 tensors are ever quantized, so a shape computation must never be mistaken for one.
/// </summary>
public static class ElementTypes
{
    private static readonly HashSet<string> Int64Ops =
        ["Shape", "Size", "ArgMax", "ArgMin", "NonZero", "NonMaxSuppression"];

    private static readonly HashSet<string> BoolOps =
        ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Not", "And", "Or", "Xor", "IsNaN", "IsInf"];

    public static Dictionary<string, int> Infer(GraphProto graph)
    {
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            types[tensor.Name] = tensor.DataType;
        }
        foreach (var value in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            if (value.Type?.TensorType is { ElemType: > 0 } tensorType)
            {
                types[value.Name] = tensorType.ElemType;
            }
        }
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Output.Count; i++)
            {
                var output = node.Output[i];
                if (output.Length == 0 || types.ContainsKey(output))
                {
                    continue;
                }
                if (OutputType(node, i, types) is { } type)
                {
                    types[output] = type;
                }
            }
        }
        return types;
    }

    private static int? OutputType(NodeProto node, int output, Dictionary<string, int> types)
    {
        int? FirstInput() => node.Input.Count > 0 && types.TryGetValue(node.Input[0], out var t) ? t : null;
        int? Attribute(string name) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? (int)a.I : null;

        if (node.Domain is not ("" or "ai.onnx"))
        {
            return null;
        }
        return node.OpType switch
        {
            _ when Int64Ops.Contains(node.OpType) => DataTypes.Int64,
            _ when BoolOps.Contains(node.OpType) => DataTypes.Bool,
            "Cast" => Attribute("to"),
            "Constant" => node.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType
                ?? (node.Attribute.Any(a => a.Name is "value_int" or "value_ints") ? DataTypes.Int64 : DataTypes.Float),
            "ConstantOfShape" => node.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType ?? DataTypes.Float,
            "MaxPool" when output == 1 => DataTypes.Int64,
            "TopK" when output == 1 => DataTypes.Int64,
            "Unique" when output > 0 => DataTypes.Int64,
            "Range" => FirstInput(),
            "Where" => node.Input.Count > 1 && types.TryGetValue(node.Input[1], out var t) ? t : null,
            "QuantizeLinear" => node.Input.Count > 2 && types.TryGetValue(node.Input[2], out var zp) ? zp : DataTypes.UInt8,
            "DequantizeLinear" => DataTypes.Float,
            // An If's outputs are its branches' outputs (its first input is the boolean condition).
            "If" => node.Attribute.FirstOrDefault(a => a.Name == "then_branch")?.G?.Output.ElementAtOrDefault(output)?.Type?.TensorType?.ElemType
                is > 0 and var branchType ? branchType : null,
            _ => FirstInput(),
        };
    }
}
