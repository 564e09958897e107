using Amct.Engine.Onnx;
using Amct.Engine.Quantization;

namespace Amct.Engine.Graph;

/// <summary>A graph input or output: name, element type and shape (symbolic dims by name, unknown as "?").</summary>
public sealed record ValueSummary(string Name, string Type, IReadOnlyList<string> Shape);

public sealed record OpsetSummary(string Domain, long Version);

public sealed record OpCount(string OpType, int Count);

/// <summary>What <c>amct inspect</c> shows about a model.</summary>
public sealed record ModelSummary(
    string Path,
    long IrVersion,
    string Producer,
    IReadOnlyList<OpsetSummary> Opsets,
    IReadOnlyList<ValueSummary> Inputs,
    IReadOnlyList<ValueSummary> Outputs,
    int NodeCount,
    IReadOnlyList<OpCount> OpCounts,
    long ParameterCount,
    long ParameterBytes,
    IReadOnlyList<QuantizableLayer> QuantizableLayers)
{
    public static ModelSummary Of(ModelProto model, string path)
    {
        var graph = model.Graph;
        var initializerNames = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var producer = string.Join(" ", new[] { model.ProducerName, model.ProducerVersion }.Where(s => s.Length > 0));
        var allNodes = ModelWalker.Nodes(model).ToList();
        // Weights stored in Constant nodes are parameters as much as initializers are (preparation moves them).
        var initializers = ModelWalker.Initializers(model)
            .Concat(allNodes.Select(ConstantNodeInitializers.WeightOf).OfType<TensorProto>())
            .ToList();
        return new ModelSummary(
            path,
            model.IrVersion,
            producer,
            model.OpsetImport.Select(o => new OpsetSummary(o.Domain.Length == 0 ? "ai.onnx" : o.Domain, o.Version)).ToList(),
            // Before IR 4, initializers were also listed as graph inputs; they are not inputs a caller feeds.
            graph.Input.Where(i => !initializerNames.Contains(i.Name)).Select(Summarize).ToList(),
            graph.Output.Select(Summarize).ToList(),
            allNodes.Count,
            allNodes.GroupBy(n => n.Domain is "" or "ai.onnx" ? n.OpType : $"{n.Domain}.{n.OpType}")
                .Select(g => new OpCount(g.Key, g.Count()))
                .OrderByDescending(c => c.Count).ThenBy(c => c.OpType, StringComparer.Ordinal)
                .ToList(),
            initializers.Sum(t => TensorData.DeclaredElementCount(t, path)),
            initializers.Sum(t => PayloadBytes(t, path)),
            // Layers are named as quantization names them (unnamed nodes become {op_type}_{index}), so a name copied from
            // here works in skip lists and configs.
            Quantization.QuantizableLayers.Find(Named(graph)));
    }

    private static GraphProto Named(GraphProto graph)
    {
        var copy = graph.Clone();
        UniqueNodeNames.Apply(copy);
        return copy;
    }

    private static long PayloadBytes(TensorProto tensor, string path) =>
        tensor.DataType == DataTypes.String
            ? tensor.StringData.Sum(s => (long)s.Length)
            : DataTypes.IsKnownFixedWidth(tensor.DataType)
                ? DataTypes.RawByteLength(tensor.DataType, TensorData.DeclaredElementCount(tensor, path))
                : 0;

    private static ValueSummary Summarize(ValueInfoProto value)
    {
        var type = value.Type;
        return type?.ValueCase switch
        {
            TypeProto.ValueOneofCase.TensorType => new ValueSummary(value.Name,
                DataTypes.Name(type.TensorType.ElemType), Shape(type.TensorType.Shape)),
            TypeProto.ValueOneofCase.SparseTensorType => new ValueSummary(value.Name,
                "sparse " + DataTypes.Name(type.SparseTensorType.ElemType), Shape(type.SparseTensorType.Shape)),
            TypeProto.ValueOneofCase.SequenceType => new ValueSummary(value.Name, "sequence", []),
            TypeProto.ValueOneofCase.MapType => new ValueSummary(value.Name, "map", []),
            TypeProto.ValueOneofCase.OptionalType => new ValueSummary(value.Name, "optional", []),
            _ => new ValueSummary(value.Name, "unknown", []),
        };
    }

    private static List<string> Shape(TensorShapeProto? shape) =>
        shape?.Dim.Select(d => d.ValueCase switch
        {
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            _ => "?",
        }).ToList() ?? [];
}
