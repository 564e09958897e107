using System.Globalization;
using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// Hands out names no node or value of a graph uses yet (nested subgraphs included, so a new value never shadows
/// one a subgraph reads). Node and value names share one pool: a name is never reused for either.
/// </summary>
public sealed class NameAllocator
{
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public NameAllocator(GraphProto graph)
    {
        var pending = new Stack<GraphProto>();
        pending.Push(graph);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            _taken.UnionWith(current.Input.Select(v => v.Name));
            _taken.UnionWith(current.Output.Select(v => v.Name));
            _taken.UnionWith(current.ValueInfo.Select(v => v.Name));
            _taken.UnionWith(current.Initializer.Select(t => t.Name));
            foreach (var node in current.Node)
            {
                _taken.Add(node.Name);
                _taken.UnionWith(node.Input);
                _taken.UnionWith(node.Output);
                foreach (var subgraph in node.Attribute.SelectMany(a => a.Graphs.Append(a.G)).OfType<GraphProto>())
                {
                    pending.Push(subgraph);
                }
            }
        }
    }

    /// <summary><paramref name="hint"/> if it is free, else the first free <c>hint_1</c>, <c>hint_2</c>, …</summary>
    public string Fresh(string hint)
    {
        if (hint.Length > 0 && _taken.Add(hint))
        {
            return hint;
        }
        for (var i = 1; ; i++)
        {
            var candidate = string.Create(CultureInfo.InvariantCulture, $"{hint}_{i}");
            if (_taken.Add(candidate))
            {
                return candidate;
            }
        }
    }
}
