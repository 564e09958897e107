using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// Opset 6 and earlier element-wise binary operators (Add, Sub, Mul, Div, Pow, And, Or, Xor, Equal, Greater, Less)
/// broadcast only when asked (<c>broadcast</c> = 1), aligning B with A from position <c>axis</c> (default: B's dims
/// are A's last dims); without it the shapes must be equal. From opset 7 they broadcast numpy-style, aligning the
/// last dims. Equal shapes and the default alignment mean the same thing both ways, so the attributes are dropped;
/// an explicit axis that leaves trailing dims of A uncovered becomes an Unsqueeze of B adding those dims as size 1.
/// Gemm 6's <c>broadcast</c> (C broadcast to the output shape) is what Gemm 7 always does, so it is dropped.
/// </summary>
internal sealed class LegacyBroadcastUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        var broadcast = NodeAttributes.GetInt(node, "broadcast", 0) != 0;
        var axis = NodeAttributes.Find(node, "axis")?.I;
        NodeAttributes.Remove(node, "broadcast");
        NodeAttributes.Remove(node, "axis");
        NodeAttributes.Remove(node, "consumed_inputs");
        if (node.OpType == "Gemm" || !broadcast || axis is null || node.Input.Count < 2)
        {
            context.Emit(node);
            return;
        }
        var rankA = context.Hints.Of(node.Input[0]).Rank;
        var rankB = context.Hints.Of(node.Input[1]).Rank;
        if (rankA is null || rankB is null)
        {
            throw context.CannotConvert(node, $"it broadcasts B from axis {axis} and the ranks of its inputs are not known");
        }
        var first = axis < 0 ? axis.Value + rankA.Value : axis.Value;
        var trailing = rankA.Value - first - rankB.Value;
        if (trailing < 0 || first < 0)
        {
            throw context.CannotConvert(node, $"its broadcast axis {axis} does not fit inputs of rank {rankA} and {rankB}");
        }
        if (trailing > 0)
        {
            var axes = Enumerable.Range(rankB.Value, (int)trailing).Select(a => (long)a);
            node.Input[1] = context.Unsqueezed(node.Input[1], axes, $"{LayerNames.Of(node)}_broadcast_b");
        }
        context.Emit(node);
    }
}
