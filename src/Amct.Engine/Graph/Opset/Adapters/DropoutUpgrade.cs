using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// Dropout before opset 12 takes <c>ratio</c> as an attribute; from 12 ratio and training_mode are inputs. For
/// inference, which is all a quantized model does, Dropout is the identity whatever the ratio, so the attribute is
/// dropped and no input added (training_mode defaults to false). The optional <c>mask</c> output had no defined
/// inference value before opset 12 (ONNX Runtime fills it with false; opset 12 defines all true) and was of the
/// data's type before opset 10: a mask that something reads is reported, an unread one is dropped.
/// </summary>
internal sealed class DropoutUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        if (context.SourceOpset >= 12)
        {
            context.Emit(node);
            return;
        }
        NodeAttributes.Remove(node, "ratio");
        NodeAttributes.Remove(node, "is_test");
        NodeAttributes.Remove(node, "consumed_inputs");
        if (node.Output.Count > 1)
        {
            if (context.IsRead(node.Output[1]))
            {
                throw context.CannotConvert(node, $"its mask output '{node.Output[1]}' is read, and what the mask holds " +
                    "at inference was only defined in opset 12");
            }
            while (node.Output.Count > 1)
            {
                node.Output.RemoveAt(node.Output.Count - 1);
            }
        }
        context.Emit(node);
    }
}
