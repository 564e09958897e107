using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// Which values of a graph are read, and how often: node inputs, graph outputs, and values a node's subgraphs
/// (If/Loop/Scan bodies) read from the enclosing graph. A rewrite that drops or changes a value must know every
/// reader, including those hidden inside a subgraph.
/// </summary>
public static class ValueUses
{
    /// <summary>How many times each value is read: once per node input slot, once per graph output.</summary>
    public static Dictionary<string, int> Count(GraphProto graph)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var name in graph.Node.SelectMany(ReadBy).Concat(graph.Output.Select(o => o.Name)))
        {
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }
        return counts;
    }

    /// <summary>
    /// The values a node reads: its inputs, and every name its subgraphs read. The subgraph names are an
    /// over-approximation (they include values the subgraph defines itself), which is safe for every caller here:
    /// at worst a value counts as used or shared when it is not.
    /// </summary>
    public static IEnumerable<string> ReadBy(NodeProto node) =>
        node.Input.Where(i => i.Length > 0).Concat(SubgraphReads(node));

    private static IEnumerable<string> SubgraphReads(NodeProto node)
    {
        var pending = new Stack<GraphProto>(node.Attribute.SelectMany(a => a.Graphs.Append(a.G)).OfType<GraphProto>());
        while (pending.Count > 0)
        {
            var graph = pending.Pop();
            foreach (var name in graph.Output.Select(o => o.Name))
            {
                yield return name;
            }
            foreach (var inner in graph.Node)
            {
                foreach (var input in inner.Input.Where(i => i.Length > 0))
                {
                    yield return input;
                }
                foreach (var subgraph in inner.Attribute.SelectMany(a => a.Graphs.Append(a.G)).OfType<GraphProto>())
                {
                    pending.Push(subgraph);
                }
            }
        }
    }
}
