using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Relu, and Clip with a lower bound of 0 (Relu6), after a quantized producer: with asymmetric activations the
/// producer's output can be quantized over the activation's output range [0, max]; the Q node then clamps negatives
/// to 0 itself, so the activation node is removed and its work disappears into the int8 kernel. With symmetric
/// activations (offset 0, range ±m) the clamp would not cut negatives, so the activation stays and its output is
/// quantized like any other follower.
/// </summary>
public sealed class ActivationFoldRule : IOpRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["Relu", "Clip"];
    public RulePhase Phase => RulePhase.Fold;

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        if (!plan.FollowsQuantizedInput(node))
        {
            return;
        }
        if (plan.CanFold(node) && (node.OpType == "Relu" || ClipsAtZero(node, plan)))
        {
            plan.Fold(node);
            return;
        }
        plan.QuantizeOutputUnlessGraphOutput(node);
    }

    private static bool ClipsAtZero(NodeProto node, PlanBuilder plan)
    {
        // Clip-6 and later take min as an input; earlier versions as an attribute.
        if (node.Input.Count > 1 && node.Input[1].Length > 0)
        {
            return plan.Constant(node.Input[1]) is { } min && TensorData.ToDoubles(min) is [0.0];
        }
        return node.Attribute.FirstOrDefault(a => a.Name == "min") is { F: 0f };
    }
}
