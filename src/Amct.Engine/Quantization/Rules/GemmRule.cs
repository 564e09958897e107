using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Gemm with a constant B: int8 B (per output column by default: axis 1, or 0 when transB=1), int32 bias from a 1-D C.
/// alpha and beta are folded into B and C when the model is built. The output is quantized unless it is a graph
/// output (then ONNX Runtime's QGemm writes float directly and the logits keep full precision).
/// </summary>
public sealed class GemmRule : IOpRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Gemm"];
    public RulePhase Phase => RulePhase.Anchor;

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        var transB = node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
        if (!plan.TryAddWeightedLayer(node, weightInput: 1, biasInput: 2, perChannelAxis: transB == 1 ? 0 : 1))
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
