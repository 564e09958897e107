using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset;

/// <summary>
/// Rewrites one node, written for the model's original opset, into nodes with the same meaning at opset 13. The
/// adapter receives a copy of the node (it may change it freely) and emits the replacement nodes to the context.
/// </summary>
internal interface IOpUpgrade
{
    void Upgrade(NodeProto node, UpgradeContext context);
}
