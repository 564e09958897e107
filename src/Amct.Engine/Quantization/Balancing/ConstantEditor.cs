using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Balancing;

/// <summary>
/// Rescales initializers per channel for one node. An initializer that other readers share (or that is also a graph
/// input, which a caller may override) is copied under a new name first, so only that node sees the change.
/// </summary>
internal sealed class ConstantEditor(GraphProto graph)
{
    private readonly UniqueNames _names = new(graph);
    private readonly HashSet<string> _graphInputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>How often each value is read (kept up to date as constants are copied).</summary>
    public Dictionary<string, int> Uses { get; } = ValueUses.Count(graph);

    public void Scale(NodeProto node, int input, ChannelLayout layout, IReadOnlyList<float> factors, bool divide)
    {
        var name = node.Input[input];
        var tensor = graph.Initializer.First(t => t.Name == name);
        var values = TensorData.ToArray<float>(tensor);
        for (var i = 0; i < values.Length; i++)
        {
            var factor = factors[layout.ChannelOf(i)];
            values[i] = divide ? values[i] / factor : values[i] * factor;
        }
        var shared = Uses.GetValueOrDefault(name) > 1 || _graphInputs.Contains(name);
        var target = shared ? _names.Next(name + "_dmq") : name;
        var scaled = TensorData.FromArray<float>(target, tensor.Dims.ToArray(), values);
        if (shared)
        {
            graph.Initializer.Add(scaled);
            node.Input[input] = target;
            Uses[name]--;
            Uses[target] = 1;
        }
        else
        {
            graph.Initializer[graph.Initializer.IndexOf(tensor)] = scaled;
        }
    }
}
