using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>
/// The name by which a layer (node) is reported, configured and recorded. AMCT keys layers by node name; exporters
/// sometimes leave nodes unnamed, and then the first output's name, unique within a graph, stands in.
/// </summary>
public static class LayerNames
{
    public static string Of(NodeProto node) =>
        !string.IsNullOrEmpty(node.Name) ? node.Name
        : node.Output.Count > 0 && !string.IsNullOrEmpty(node.Output[0]) ? node.Output[0]
        : $"<unnamed {node.OpType}>";
}
