using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Conv and ConvTranspose: int8 weight (per output channel by default: axis 0 for Conv, axis 1 for ConvTranspose,
/// whose weight is [C_in, C_out/group, …]), int32 bias, quantized input and output, so ONNX Runtime fuses
/// DQ→Conv→Q into QLinearConv.
/// </summary>
public sealed class ConvRule : IOpRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Conv", "ConvTranspose"];
    public RulePhase Phase => RulePhase.Anchor;

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        var axis = node.OpType == "ConvTranspose" ? 1 : 0;
        if (!plan.TryAddWeightedLayer(node, weightInput: 1, biasInput: 2, perChannelAxis: axis))
        {
            return;
        }
        plan.QuantizeActivation(node.Input[0]);
        plan.QuantizeOutput(node, 0);
    }
}
