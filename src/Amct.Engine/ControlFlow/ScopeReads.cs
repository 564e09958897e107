using Amct.Engine.Onnx;

namespace Amct.Engine.ControlFlow;

/// <summary>
/// The values a subgraph (and the subgraphs nested in it) reads from enclosing scopes: every name it reads that it
/// does not define itself (as an input, initializer or node output at any depth). ONNX names are unique across
/// scopes, so what is left comes from outside.
/// </summary>
internal static class ScopeReads
{
    /// <summary>The outer values <paramref name="subgraph"/> reads, in first-read order.</summary>
    public static IReadOnlyList<string> Of(GraphProto subgraph)
    {
        var defined = new HashSet<string>(StringComparer.Ordinal);
        var read = new List<string>();
        foreach (var graph in WithNested(subgraph))
        {
            defined.UnionWith(graph.Input.Select(v => v.Name));
            defined.UnionWith(graph.Initializer.Select(t => t.Name));
            defined.UnionWith(graph.Node.SelectMany(n => n.Output));
            read.AddRange(graph.Node.SelectMany(n => n.Input));
            read.AddRange(graph.Output.Select(o => o.Name));
        }
        return read.Where(name => name.Length > 0 && !defined.Contains(name)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The graph and every graph nested in its nodes' attributes.</summary>
    public static IEnumerable<GraphProto> WithNested(GraphProto graph)
    {
        var pending = new Stack<GraphProto>();
        pending.Push(graph);
        while (pending.Count > 0)
        {
            var current = pending.Pop();
            yield return current;
            foreach (var nested in current.Node.SelectMany(n => n.Attribute).SelectMany(a => a.Graphs.Append(a.G)).OfType<GraphProto>())
            {
                pending.Push(nested);
            }
        }
    }
}
