using Amct.Engine.Onnx;

namespace Amct.Engine.ControlFlow;

/// <summary>
/// Keeps names unique across scopes after a branch was quantized on its own: the names the QDQ step created there
/// (quantized values, scales, node names) were chosen knowing only the branch, so one may repeat a name of the
/// enclosing graph or of a sibling branch. Those are renamed within the branch.
/// </summary>
internal static class ScopedNames
{
    /// <summary>The names a graph defines: node names and outputs, initializers, inputs.</summary>
    public static IEnumerable<string> Defined(GraphProto graph) =>
        graph.Node.Select(n => n.Name).Concat(graph.Node.SelectMany(n => n.Output))
            .Concat(graph.Initializer.Select(t => t.Name)).Concat(graph.Input.Select(i => i.Name))
            .Where(n => n.Length > 0);

    /// <param name="branch">The quantized branch, renamed in place.</param>
    /// <param name="original">The float branch and its nested graphs (their names were already in the model).</param>
    /// <param name="taken">Every name of the model; the branch's names are added.</param>
    public static void Separate(GraphProto branch, IEnumerable<GraphProto> original, HashSet<string> taken)
    {
        var old = original.SelectMany(Defined).ToHashSet(StringComparer.Ordinal);
        var graphs = ScopeReads.WithNested(branch).ToList();
        var renames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in graphs.SelectMany(Defined).Distinct(StringComparer.Ordinal).Where(n => !old.Contains(n)).ToList())
        {
            if (!taken.Add(name))
            {
                var fresh = Enumerable.Range(1, int.MaxValue).Select(i => $"{name}_{i}").First(taken.Add);
                renames[name] = fresh;
            }
        }
        if (renames.Count == 0)
        {
            return;
        }
        foreach (var graph in graphs)
        {
            foreach (var node in graph.Node)
            {
                node.Name = renames.GetValueOrDefault(node.Name, node.Name);
                Rename(node.Input, renames);
                Rename(node.Output, renames);
            }
            foreach (var tensor in graph.Initializer)
            {
                tensor.Name = renames.GetValueOrDefault(tensor.Name, tensor.Name);
            }
            foreach (var value in graph.Output.Concat(graph.ValueInfo))
            {
                value.Name = renames.GetValueOrDefault(value.Name, value.Name);
            }
        }
    }

    private static void Rename(Google.Protobuf.Collections.RepeatedField<string> names, Dictionary<string, string> renames)
    {
        for (var i = 0; i < names.Count; i++)
        {
            names[i] = renames.GetValueOrDefault(names[i], names[i]);
        }
    }
}
