using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// Scatter (versions 9 and 11) was deprecated in opset 11 for ScatterElements, which has the same inputs, the same
/// <c>axis</c> attribute and the same meaning (version 11 of both accepts negative indices; version 9's indices
/// are non-negative, which ScatterElements reads the same way). The node becomes a ScatterElements of the same name.
/// </summary>
internal sealed class ScatterUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        node.OpType = "ScatterElements";
        context.Emit(node);
    }
}
