using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset;

/// <summary>
/// What is known about a value before the model runs: its element type (0 when unknown) and its dims (null when
/// even the rank is unknown; -1 for a dimension of unknown size).
/// </summary>
internal sealed record TensorHint(int ElementType, IReadOnlyList<long>? Dims)
{
    public static readonly TensorHint Unknown = new(0, null);

    public int? Rank => Dims?.Count;
}

/// <summary>
/// A light forward inference of element types and shapes, enough for the adapters that need one: Softmax needs the
/// input rank, Pad and Clip the element type of the constants they create. It starts from what the model declares
/// (inputs, outputs, value_info, initializers) and follows the ops whose output type and rank are evident from the
/// input. It never guesses: what it cannot tell stays unknown, and the adapters then take a shape-agnostic path or
/// report the node. ONNX Runtime's view of the original model (<see cref="RuntimeValueTypes"/>) fills in what the
/// model does not declare before the forward pass runs.
/// </summary>
internal sealed class TensorHints
{
    private readonly Dictionary<string, TensorHint> _hints = new(StringComparer.Ordinal);

    // Output 0 has the element type and shape of input 0.
    private static readonly HashSet<string> ShapePreserving =
    [
        "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "BatchNormalization", "Celu", "Ceil", "Clip", "Cos",
        "Cosh", "CumSum", "Dropout", "Elu", "Erf", "Exp", "Floor", "Hardmax", "HardSigmoid", "Identity",
        "InstanceNormalization", "LeakyRelu", "Log", "LogSoftmax", "LpNormalization", "LRN", "MeanVarianceNormalization",
        "Neg", "PRelu", "Reciprocal", "Relu", "Round", "Selu", "Shrink", "Sigmoid", "Sign", "Sin", "Sinh", "Softmax",
        "Softplus", "Softsign", "Sqrt", "Tan", "Tanh", "ThresholdedRelu",
    ];

    // Output 0 has input 0's element type and the numpy broadcast of all inputs' shapes.
    private static readonly HashSet<string> Broadcasting = ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean"];

    // Output 0 is bool with the numpy broadcast of the inputs' shapes.
    private static readonly HashSet<string> Comparisons = ["Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor"];

    // Output 0 keeps input 0's element type and rank; spatial sizes change.
    private static readonly HashSet<string> SpatialRankPreserving =
        ["Conv", "ConvTranspose", "MaxPool", "AveragePool", "LpPool", "Upsample", "Resize"];

    private static readonly HashSet<string> GlobalPools = ["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"];

    public TensorHint Of(string value) => _hints.GetValueOrDefault(value, TensorHint.Unknown);

    /// <param name="graph">The graph to infer over.</param>
    /// <param name="runtime">Types ONNX Runtime inferred for the graph's values (<see cref="RuntimeValueTypes"/>); they fill
    /// in what the model does not declare.</param>
    /// <param name="outer">The hints of the enclosing graph, for a subgraph (it reads the outer scope's values).</param>
    public static TensorHints Infer(GraphProto graph, IReadOnlyDictionary<string, TensorHint>? runtime = null, TensorHints? outer = null)
    {
        var hints = new TensorHints();
        foreach (var (name, hint) in outer?._hints ?? [])
        {
            hints._hints[name] = hint;
        }
        foreach (var tensor in graph.Initializer)
        {
            hints._hints[tensor.Name] = new TensorHint(tensor.DataType, tensor.Dims.ToArray());
        }
        foreach (var value in graph.Input.Concat(graph.ValueInfo).Concat(graph.Output))
        {
            if (value.Type?.TensorType is { } tensorType && !hints._hints.ContainsKey(value.Name))
            {
                hints._hints[value.Name] = new TensorHint(tensorType.ElemType, tensorType.Shape is { } shape ? Dims(shape) : null);
            }
        }
        foreach (var (name, hint) in runtime ?? new Dictionary<string, TensorHint>())
        {
            hints.Merge(name, hint);
        }
        foreach (var node in graph.Node.Where(n => n.Domain is "" or "ai.onnx" && n.Output.Count > 0))
        {
            var inferred = hints.InferOutput(node);
            if (inferred is not null)
            {
                hints.Merge(node.Output[0], inferred);
            }
        }
        return hints;
    }

    private static List<long> Dims(TensorShapeProto shape) =>
        shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToList();

    /// <summary>Keeps what the model declares and fills in what it leaves unknown.</summary>
    private void Merge(string value, TensorHint inferred)
    {
        var declared = Of(value);
        _hints[value] = new TensorHint(
            declared.ElementType != 0 ? declared.ElementType : inferred.ElementType,
            declared.Dims ?? inferred.Dims);
    }

    private TensorHint? InferOutput(NodeProto node)
    {
        var inputs = node.Input.Select(i => i.Length == 0 ? TensorHint.Unknown : Of(i)).ToList();
        if (inputs.Count == 0)
        {
            return null;
        }
        var first = inputs[0];
        var op = node.OpType;
        if (ShapePreserving.Contains(op))
        {
            return first;
        }
        if (op == "Cast")
        {
            return new TensorHint((int)NodeAttributes.GetInt(node, "to", 0), first.Dims);
        }
        if (Broadcasting.Contains(op))
        {
            return new TensorHint(first.ElementType, Broadcast(inputs));
        }
        if (Comparisons.Contains(op))
        {
            return new TensorHint(DataTypes.Bool, Broadcast(inputs));
        }
        if (op == "Where" && inputs.Count == 3)
        {
            return new TensorHint(inputs[1].ElementType, Broadcast(inputs));
        }
        if (SpatialRankPreserving.Contains(op))
        {
            return new TensorHint(first.ElementType, first.Dims?.Select(_ => -1L).ToList());
        }
        if (GlobalPools.Contains(op))
        {
            return new TensorHint(first.ElementType, first.Dims?.Select((d, i) => i < 2 ? d : 1).ToList());
        }
        if (op == "Concat")
        {
            return new TensorHint(first.ElementType, first.Dims?.Select(_ => -1L).ToList());
        }
        if (op is "Gemm" or "Flatten")
        {
            return new TensorHint(first.ElementType, [-1, -1]);
        }
        if (op == "MatMul" && inputs.Count == 2 && first.Rank >= 2 && inputs[1].Rank >= 2)
        {
            return new TensorHint(first.ElementType, Enumerable.Repeat(-1L, Math.Max(first.Rank.Value, inputs[1].Rank!.Value)).ToList());
        }
        if (op == "Shape")
        {
            return new TensorHint(DataTypes.Int64, [first.Rank ?? -1]);
        }
        return null;
    }

    /// <summary>Numpy broadcasting of the inputs' dims; null when any rank is unknown.</summary>
    private static List<long>? Broadcast(IReadOnlyList<TensorHint> inputs)
    {
        if (inputs.Any(i => i.Dims is null))
        {
            return null;
        }
        var rank = inputs.Max(i => i.Dims!.Count);
        var result = new List<long>();
        for (var axis = 0; axis < rank; axis++)
        {
            long dim = 1;
            foreach (var input in inputs)
            {
                var offset = axis - (rank - input.Dims!.Count);
                var d = offset >= 0 ? input.Dims[offset] : 1;
                // A known size other than 1 decides the axis; an unknown size leaves it unknown unless one does.
                dim = d is not 1 and not -1 ? d : d == -1 && dim == 1 ? -1 : dim;
            }
            result.Add(dim);
        }
        return result;
    }
}
