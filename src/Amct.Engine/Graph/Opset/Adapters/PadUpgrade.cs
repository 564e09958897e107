using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// Pad before opset 11 (version 2) takes <c>pads</c> (int list) and <c>value</c> (float, default 0) as attributes;
/// from 11 they are the inputs <c>pads</c> (int64) and <c>constant_value</c> (a scalar of the data's type, default
/// 0). <c>mode</c> keeps its meaning. The value only matters in constant mode and when it is not 0.
/// </summary>
internal sealed class PadUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        if (context.SourceOpset >= 11)
        {
            context.Emit(node);
            return;
        }
        var pads = NodeAttributes.GetInts(node, "pads")
            ?? throw context.CannotConvert(node, "it has no 'pads' attribute, which Pad requires");
        var layer = LayerNames.Of(node);
        UpgradeContext.SetInput(node, 1, context.AddInitializer($"{layer}_pads", TensorData.FromArray<long>("", [pads.Length], pads)));
        var value = NodeAttributes.GetFloat(node, "value", 0f);
        if (NodeAttributes.GetString(node, "mode", "constant") == "constant" && value != 0f)
        {
            var scalar = ScalarConstants.Of(context.Hints.Of(node.Input[0]).ElementType, value)
                ?? throw context.CannotConvert(node, $"the element type of its input '{node.Input[0]}' is not known, and " +
                    "its 'value' attribute must become a constant of that type");
            UpgradeContext.SetInput(node, 2, context.AddInitializer($"{layer}_value", scalar));
        }
        NodeAttributes.Remove(node, "pads");
        NodeAttributes.Remove(node, "value");
        context.Emit(node);
    }
}
