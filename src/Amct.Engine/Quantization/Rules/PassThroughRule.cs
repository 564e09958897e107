using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Ops that move or select values without computing new ones (MaxPool, Reshape, Flatten, Transpose…). When their
/// input is quantized, their output is too, with the same factors: ONNX Runtime then drops the Q/DQ around them and
/// runs them on int8 data, so no float island appears between quantized ops.
/// </summary>
public sealed class PassThroughRule : IOpRule
{
    public IReadOnlyCollection<string> OpTypes { get; } =
    [
        "MaxPool", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze", "Identity", "Slice", "Gather",
        "Resize", "Expand", "Tile", "DepthToSpace", "SpaceToDepth", "Split",
    ];

    public RulePhase Phase => RulePhase.Follower;

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        if (!plan.FollowsQuantizedInput(node))
        {
            return;
        }
        // MaxPool's optional second output (indices) is int64 and makes the node unfusable.
        if (node.OpType == "MaxPool" && node.Output.Count > 1 && node.Output[1].Length > 0)
        {
            return;
        }
        foreach (var output in node.Output.Where(o => o.Length > 0 && !plan.IsGraphOutput(o)))
        {
            plan.Share(node.Input[0], output);
            plan.QuantizeDerived(output);
        }
    }
}
