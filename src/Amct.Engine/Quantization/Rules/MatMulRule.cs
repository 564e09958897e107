using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// MatMul with a constant 2-D B [K, N]: int8 B, per output column (axis 1) by default. Like Gemm, the output is quantized
/// unless it is a graph output.
/// </summary>
public sealed class MatMulRule : IOpRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["MatMul"];
    public RulePhase Phase => RulePhase.Anchor;

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        if (plan.Constant(node.Input[1]) is { } weight && weight.Dims.Count != 2)
        {
            plan.Skip(node, "its constant input B is not 2-D");
            return;
        }
        if (!plan.TryAddWeightedLayer(node, weightInput: 1, biasInput: null, perChannelAxis: 1))
        {
            return;
        }
        plan.QuantizeActivation(node.Input[0]);
        if (!plan.IsGraphOutput(node.Output[0]))
        {
            plan.QuantizeOutput(node, 0);
        }
    }
}
