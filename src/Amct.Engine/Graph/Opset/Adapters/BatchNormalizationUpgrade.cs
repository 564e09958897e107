using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// BatchNormalization version 7 (opsets 7 and 8) has <c>spatial</c> (default 1: one mean/variance per channel);
/// version 9 dropped it and always normalizes per channel. spatial = 1 is therefore the same operator without the
/// attribute; spatial = 0 (statistics per channel and position) has no opset-13 form. Stale <c>is_test</c> and
/// <c>consumed_inputs</c> attributes from version 6 and earlier exporters are dropped.
/// </summary>
internal sealed class BatchNormalizationUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        if (NodeAttributes.GetInt(node, "spatial", 1) != 1)
        {
            throw context.CannotConvert(node, "its attribute spatial = 0 (statistics per position) was removed in opset 9 " +
                "and has no equivalent");
        }
        NodeAttributes.Remove(node, "spatial");
        NodeAttributes.Remove(node, "is_test");
        NodeAttributes.Remove(node, "consumed_inputs");
        context.Emit(node);
    }
}
