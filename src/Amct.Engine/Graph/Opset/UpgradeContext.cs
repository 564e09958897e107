using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset;

/// <summary>
/// What an adapter works with during an opset upgrade: the original opset, facts about the original graph, and
/// the output being built (nodes in order, new initializers). Nothing is written to the model until every node has
/// been converted, so a node that cannot be converted leaves the model as it was.
/// </summary>
/// <remarks>A subgraph (If/Loop/Scan body) gets its own context sharing the main graph's name pool
/// (<see cref="ForSubgraph"/>), so a new name never clashes with one in another scope.</remarks>
internal sealed class UpgradeContext(long sourceOpset, string source, GraphProto graph, TensorHints hints, NameAllocator? names = null)
{
    private readonly Dictionary<string, int> _uses = ValueUses.Count(graph);
    private readonly NameAllocator _names = names ?? new(graph);
    private readonly GraphIndex _index = new(graph);

    /// <summary>The default-domain opset the model was written for (7 to 12).</summary>
    public long SourceOpset { get; } = sourceOpset;

    /// <summary>The model file, named in errors.</summary>
    public string Source { get; } = source;

    public TensorHints Hints { get; } = hints;

    public List<NodeProto> Nodes { get; } = [];

    public List<TensorProto> NewInitializers { get; } = [];

    public void Emit(NodeProto node) => Nodes.Add(node);

    /// <summary>A context for a subgraph of a node of this graph: its values' hints start from this graph's.</summary>
    public UpgradeContext ForSubgraph(GraphProto subgraph) =>
        new(SourceOpset, Source, subgraph, TensorHints.Infer(subgraph, outer: Hints), _names);

    /// <summary>Whether anything reads the value (a node, a subgraph or a graph output).</summary>
    public bool IsRead(string value) => value.Length > 0 && _uses.GetValueOrDefault(value) > 0;

    /// <summary>The constant behind a value (initializer or Constant node), or null.</summary>
    public TensorProto? Constant(string value) => value.Length == 0 ? null : _index.Constant(value);

    /// <summary>A node or value name nothing in the graph uses yet.</summary>
    public string FreshName(string hint) => _names.Fresh(hint);

    /// <summary>Adds a constant as a new initializer under a fresh name and returns the name.</summary>
    public string AddInitializer(string hint, TensorProto tensor)
    {
        tensor.Name = FreshName(hint);
        NewInitializers.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A new default-domain node with a fresh name.</summary>
    public NodeProto NewNode(string opType, string nameHint, IEnumerable<string> inputs, IEnumerable<string> outputs)
    {
        var node = new NodeProto { OpType = opType, Name = FreshName(nameHint) };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    /// <summary>
    /// Emits an Unsqueeze (opset 13: axes as an int64 input) inserting size-1 <paramref name="axes"/> into
    /// <paramref name="value"/>, named after <paramref name="hint"/>; returns the new value.
    /// </summary>
    public string Unsqueezed(string value, IEnumerable<long> axes, string hint)
    {
        var list = axes.ToArray();
        var axesName = AddInitializer($"{hint}_axes", TensorData.FromArray<long>("", [list.Length], list));
        var output = FreshName(hint);
        Emit(NewNode("Unsqueeze", hint, [value, axesName], [output]));
        return output;
    }

    /// <summary>The error for a node whose operator has a converter, but not for the way this node uses it.</summary>
    public AmctException CannotConvert(NodeProto node, string why) =>
        new(ErrorCodes.OperatorUsageNotUpgradable, Source,
            $"node '{LayerNames.Of(node)}' ({node.OpType}) cannot be upgraded from opset {SourceOpset} to 13: {why}. " +
            "Re-export the model with opset 13 or later (for example torch.onnx.export(..., opset_version=13)).");

    /// <summary>Sets input <paramref name="position"/>, padding skipped optional inputs with "".</summary>
    public static void SetInput(NodeProto node, int position, string value)
    {
        while (node.Input.Count <= position)
        {
            node.Input.Add("");
        }
        node.Input[position] = value;
    }
}
