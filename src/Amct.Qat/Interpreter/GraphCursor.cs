using Amct.Engine.Onnx;
using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>
/// The graph run over fixed batches a stretch of nodes at a time: <see cref="AdvanceTo"/> runs the nodes from where
/// the last call stopped, so a walk through the whole graph runs every node once per batch however often it stops.
/// Between stops it keeps, per batch, only the values a later node still reads (copies it owns; the rest is freed
/// with the stretch that made it), so memory stays at the widest cut through the graph, not the whole activation set.
/// AdaRound walks the graph this way, stopping at each layer to learn its rounding: the hooks may change between stops
/// (a layer's rounded weight), and the nodes run afterwards see the change, exactly as a full run with the new hooks
/// computes everything downstream of the stop.
/// </summary>
internal sealed class GraphCursor : IDisposable
{
    private readonly OnnxGraph _graph;
    private readonly IGraphHooks? _hooks;
    private readonly Dictionary<string, int> _lastRead;
    private readonly List<Dictionary<string, Tensor>> _live;

    public GraphCursor(OnnxGraph graph, IEnumerable<IReadOnlyDictionary<string, Tensor>> batches, IGraphHooks? hooks)
    {
        _graph = graph;
        _hooks = hooks;
        _lastRead = LastReads(graph.Nodes);
        using var noGrad = no_grad();
        _live = batches.Select(batch =>
        {
            using var scope = NewDisposeScope();
            return Keep(graph.Start(batch, hooks), previous: null);
        }).ToList();
    }

    /// <summary>The index of the next node to run.</summary>
    public int Position { get; private set; }

    public int BatchCount => _live.Count;

    /// <summary>Runs the nodes from <see cref="Position"/> up to (not including) <paramref name="node"/> on every batch.</summary>
    public void AdvanceTo(int node)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(node, Position);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(node, _graph.Nodes.Count);
        using var noGrad = no_grad();
        for (var b = 0; b < _live.Count; b++)
        {
            using var scope = NewDisposeScope();
            var values = new Dictionary<string, Tensor>(_live[b], StringComparer.Ordinal);
            // Constants as the hooks give them now: a weight rounded since the last stop reads as rounded.
            var constantsRead = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            for (var i = Position; i < node; i++)
            {
                _graph.RunNode(_graph.Nodes[i], values, constantsRead, _hooks);
            }
            _live[b] = Keep(values, _live[b], node);
        }
        Position = node;
    }

    /// <summary>
    /// Per batch, the inputs of the node at <see cref="Position"/> in its input order: computed values as this walk
    /// made them, constants as they are (unhooked), empty slots and <paramref name="leaveOut"/> null.
    /// </summary>
    public List<Tensor?[]> NodeInputs(string? leaveOut)
    {
        var node = _graph.Nodes[Position];
        return _live.Select(values => node.Input.Select(name => name.Length == 0 || name == leaveOut ? null
            : values.GetValueOrDefault(name) ?? _graph.Constants[name]).ToArray()).ToList();
    }

    public void Dispose()
    {
        foreach (var value in _live.SelectMany(v => v.Values))
        {
            value.Dispose();
        }
        _live.Clear();
    }

    /// <summary>
    /// The values that nodes from <paramref name="from"/> on read, owned by the cursor: ones it already owned stay,
    /// new ones are copied out of the stretch's scope (a value may be a view of, or the very tensor of, another value,
    /// an input or a constant, so only a copy is safe to free later). Owned values no longer read are freed.
    /// </summary>
    private Dictionary<string, Tensor> Keep(Dictionary<string, Tensor> values, Dictionary<string, Tensor>? previous, int from = 0)
    {
        var kept = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (_lastRead.GetValueOrDefault(name, -1) < from)
            {
                continue;
            }
            kept[name] = previous is not null && previous.TryGetValue(name, out var owned) && ReferenceEquals(owned, value)
                ? owned
                : value.clone().DetachFromDisposeScope();
        }
        foreach (var (name, owned) in previous ?? [])
        {
            if (!kept.ContainsKey(name))
            {
                owned.Dispose();
            }
        }
        return kept;
    }

    /// <summary>For each value name, the index of the last node reading it.</summary>
    public static Dictionary<string, int> LastReads(IReadOnlyList<NodeProto> nodes)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < nodes.Count; i++)
        {
            foreach (var name in nodes[i].Input.Where(n => n.Length > 0))
            {
                last[name] = i;
            }
        }
        return last;
    }
}
