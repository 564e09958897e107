using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// Lookups over one graph: which node produces a value, which nodes consume it, and which values are constants
/// (initializers or Constant node outputs). Built once; rebuild after rewriting the graph.
/// </summary>
public sealed class GraphIndex
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);

    public GraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (var tensor in graph.Initializer)
        {
            _initializers[tensor.Name] = tensor;
        }
        foreach (var node in graph.Node)
        {
            foreach (var output in node.Output.Where(o => o.Length > 0))
            {
                _producers[output] = node;
            }
            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = [];
                }
                list.Add(node);
            }
        }
    }

    public GraphProto Graph { get; }

    public IReadOnlyDictionary<string, TensorProto> Initializers => _initializers;

    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    public IReadOnlyList<NodeProto> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>The constant tensor behind a value: an initializer, or the value attribute of a Constant node.</summary>
    public TensorProto? Constant(string value)
    {
        if (_initializers.TryGetValue(value, out var tensor))
        {
            return tensor;
        }
        var producer = Producer(value);
        if (producer is { OpType: "Constant", Domain: "" or "ai.onnx" })
        {
            return producer.Attribute.FirstOrDefault(a => a.Name == "value")?.T;
        }
        return null;
    }
}
