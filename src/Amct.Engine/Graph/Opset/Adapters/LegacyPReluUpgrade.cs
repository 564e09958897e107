using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// PRelu 6 applies a slope of one element to everything and a slope of C elements per channel (axis 1, as PyTorch
/// 0.3 exports nn.PReLU(C)); PRelu 7 broadcasts the slope numpy-style, aligning it with the LAST axis. A one-element
/// slope means the same both ways; a C-element vector slope becomes an Unsqueeze to [C, 1, …, 1] so it lines up
/// with axis 1 again. Other slope shapes, or an input of unknown rank, are reported.
/// </summary>
internal sealed class LegacyPReluUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        NodeAttributes.Remove(node, "consumed_inputs");
        var slope = context.Hints.Of(node.Input[1]);
        var rank = context.Hints.Of(node.Input[0]).Rank;
        if (slope.Dims is { } dims && dims.Aggregate(1L, (a, d) => a * d) == 1)
        {
            context.Emit(node);
            return;
        }
        if (slope.Dims is not { Count: 1 } || rank is null || rank < 2)
        {
            throw context.CannotConvert(node, "its slope is not a single value or a per-channel vector of an input of known rank");
        }
        if (rank > 2)
        {
            var axes = Enumerable.Range(1, rank.Value - 2).Select(a => (long)a);
            node.Input[1] = context.Unsqueezed(node.Input[1], axes, $"{LayerNames.Of(node)}_slope_per_channel");
        }
        context.Emit(node);
    }
}
