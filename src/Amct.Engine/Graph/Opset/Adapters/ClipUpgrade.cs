using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// Clip before opset 11 (version 6) takes <c>min</c> and <c>max</c> as float attributes; from 11 they are optional
/// inputs of the data's type. Each present attribute becomes a scalar initializer of that type; an absent one stays
/// absent, which keeps its meaning (no bound on that side).
/// </summary>
internal sealed class ClipUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        if (context.SourceOpset >= 11)
        {
            context.Emit(node);
            return;
        }
        var bounds = new[] { (Name: "min", Input: 1), (Name: "max", Input: 2) };
        foreach (var (name, input) in bounds.Where(b => NodeAttributes.Has(node, b.Name)))
        {
            var elementType = context.Hints.Of(node.Input[0]).ElementType;
            var scalar = ScalarConstants.Of(elementType, NodeAttributes.GetFloat(node, name, 0))
                ?? throw context.CannotConvert(node, $"the element type of its input '{node.Input[0]}' is not known, and " +
                    $"its '{name}' attribute must become a constant of that type");
            UpgradeContext.SetInput(node, input, context.AddInitializer($"{LayerNames.Of(node)}_{name}", scalar));
            NodeAttributes.Remove(node, name);
        }
        NodeAttributes.Remove(node, "consumed_inputs");
        context.Emit(node);
    }
}
