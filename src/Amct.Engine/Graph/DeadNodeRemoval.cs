using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>What <see cref="DeadNodeRemoval"/> removed: node (layer) names and initializer names.</summary>
public sealed record DeadNodeRemovalResult(IReadOnlyList<string> RemovedNodes, IReadOnlyList<string> RemovedInitializers);

/// <summary>
/// Removes what cannot affect the graph outputs: nodes none of whose outputs is read (repeatedly, so a whole dead
/// branch goes), initializers no remaining node reads, and the value_info of values that no longer exist. Graph
/// inputs stay (they are the model's interface), except entries that only mirror a removed initializer, as models
/// before IR 4 list every initializer among the inputs.
/// </summary>
public static class DeadNodeRemoval
{
    public static DeadNodeRemovalResult Apply(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var needed = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var live = new bool[graph.Node.Count];
        // Walking backwards settles a topologically sorted graph in one pass; repeat until nothing changes so an
        // unsorted graph is handled too.
        for (var changed = true; changed;)
        {
            changed = false;
            for (var i = graph.Node.Count - 1; i >= 0; i--)
            {
                var node = graph.Node[i];
                if (!live[i] && node.Output.Any(needed.Contains))
                {
                    live[i] = true;
                    changed = true;
                    needed.UnionWith(ValueUses.ReadBy(node));
                }
            }
        }

        var removedNodes = new List<string>();
        var kept = new List<NodeProto>();
        for (var i = 0; i < graph.Node.Count; i++)
        {
            if (live[i])
            {
                kept.Add(graph.Node[i]);
            }
            else
            {
                removedNodes.Add(LayerNames.Of(graph.Node[i]));
            }
        }
        graph.Node.Clear();
        graph.Node.AddRange(kept);

        var deadInitializers = graph.Initializer.Where(t => !needed.Contains(t.Name)).Select(t => t.Name).ToList();
        var deadNames = deadInitializers.ToHashSet(StringComparer.Ordinal);
        Keep(graph.Initializer, t => !deadNames.Contains(t.Name));
        Keep(graph.Input, v => !deadNames.Contains(v.Name));

        var existing = graph.Input.Select(v => v.Name)
            .Concat(graph.Initializer.Select(t => t.Name))
            .Concat(graph.Node.SelectMany(n => n.Output))
            .ToHashSet(StringComparer.Ordinal);
        Keep(graph.ValueInfo, v => existing.Contains(v.Name));
        return new DeadNodeRemovalResult(removedNodes, deadInitializers);
    }

    // Rebuilds the list rather than removing items one by one: protobuf's Remove compares whole messages.
    private static void Keep<T>(Google.Protobuf.Collections.RepeatedField<T> items, Func<T, bool> keep)
    {
        var kept = items.Where(keep).ToList();
        items.Clear();
        items.AddRange(kept);
    }
}
