using System.Globalization;
using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>One node given a new name: its position in the graph, the name it had ("" if none) and the new one.</summary>
public sealed record NodeRename(int Index, string OldName, string NewName);

/// <summary>
/// Gives every node of a graph a non-empty name no other node has, the way AMCT's <c>updated_model</c> does: AMCT
/// keys the record file and the per-layer config by node name, so a name must identify one node. An unnamed node
/// becomes <c>{op_type}_{index}</c> (its position in the graph); the second and later nodes sharing a name get a
/// numeric suffix (<c>conv_1</c>, <c>conv_2</c>, …). A name only one node has never changes, and no new name takes
/// a name some other node already has.
/// </summary>
public static class UniqueNodeNames
{
    public static IReadOnlyList<NodeRename> Apply(GraphProto graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        // Every existing name is reserved up front, so a generated name cannot steal a later node's name.
        var taken = graph.Node.Select(n => n.Name).Where(n => n.Length > 0).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var renames = new List<NodeRename>();
        for (var index = 0; index < graph.Node.Count; index++)
        {
            var node = graph.Node[index];
            var name = node.Name;
            if (name.Length > 0 && seen.Add(name))
            {
                continue;
            }
            var hint = name.Length > 0 ? name : string.Create(CultureInfo.InvariantCulture, $"{node.OpType}_{index}");
            var newName = name.Length == 0 && taken.Add(hint) ? hint : Suffixed(hint, taken);
            node.Name = newName;
            seen.Add(newName);
            renames.Add(new NodeRename(index, name, newName));
        }
        return renames;
    }

    private static string Suffixed(string name, HashSet<string> taken)
    {
        for (var i = 1; ; i++)
        {
            var candidate = string.Create(CultureInfo.InvariantCulture, $"{name}_{i}");
            if (taken.Add(candidate))
            {
                return candidate;
            }
        }
    }
}
