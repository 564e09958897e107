using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Add of two activations (a residual connection): both inputs and the output quantized with their own factors, which
/// ONNX Runtime fuses into QLinearAdd. An Add with a constant operand (a bias) stays float.
/// </summary>
public sealed class AddRule : IOpRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Add"];
    public RulePhase Phase => RulePhase.Anchor;

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        if (node.Input.Count != 2 || !plan.TakesFloatActivations(node))
        {
            return;
        }
        plan.QuantizeActivation(node.Input[0]);
        plan.QuantizeActivation(node.Input[1]);
        plan.QuantizeOutputUnlessGraphOutput(node);
    }
}
