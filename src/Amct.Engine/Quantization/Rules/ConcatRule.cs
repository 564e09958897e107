using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Concat of activations: every input and the output share one set of factors (the union of their ranges), so the
/// concatenation is a plain copy of int8 values and the producers write directly in the shared scale — no requantizing.
/// </summary>
public sealed class ConcatRule : IOpRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Concat"];
    public RulePhase Phase => RulePhase.Anchor;

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        if (!plan.TakesFloatActivations(node) || plan.IsGraphOutput(node.Output[0]))
        {
            return;
        }
        // One shared scale would force a float layer's output back into int8, or put int8 steps on the way to a Log:
        // the whole Concat stays float instead.
        if (node.Input.Any(i => plan.ComesFromFloatLayer(i) || plan.ReadOnLogPath(i)))
        {
            plan.KeepFloat(node);
            return;
        }
        foreach (var input in node.Input)
        {
            plan.QuantizeActivation(input);
            plan.Share(input, node.Output[0]);
        }
        plan.QuantizeDerived(node.Output[0]);
    }
}
