using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>The checks the activation-only rules share, so each reads as what it quantizes.</summary>
public static class RuleGuards
{
    /// <summary>
    /// The node is not kept in float and every input is a float activation (a constant operand makes an Add or Concat
    /// something ONNX Runtime's int8 kernels do not run).
    /// </summary>
    public static bool TakesFloatActivations(this PlanBuilder plan, NodeProto node) =>
        !node.Input.Any(plan.IsConstant) && node.Input.All(plan.IsFloat) && !plan.IsSkipped(node);

    /// <summary>The node is not kept in float and its first input is quantized: it can stay on int8 data.</summary>
    public static bool FollowsQuantizedInput(this PlanBuilder plan, NodeProto node) =>
        plan.IsQuantized(node.Input[0]) && !plan.IsSkipped(node);

    /// <summary>Quantizes the first output unless it is a graph output (which stays float for the caller).</summary>
    public static void QuantizeOutputUnlessGraphOutput(this PlanBuilder plan, NodeProto node)
    {
        if (!plan.IsGraphOutput(node.Output[0]))
        {
            plan.QuantizeOutput(node, 0);
        }
    }
}
