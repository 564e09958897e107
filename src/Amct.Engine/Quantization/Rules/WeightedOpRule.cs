using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// An op with a constant weight (Conv, Gemm, MatMul…). The rule says where the activation, weight and bias sit
/// (<see cref="Roles"/>); planning, weight quantization, the QDQ builder and <c>amct inspect</c> all go by those roles,
/// so a new weighted op is one subclass and one registry line.
/// </summary>
public abstract class WeightedOpRule : IOpRule
{
    public abstract IReadOnlyCollection<string> OpTypes { get; }

    /// <summary>
    /// Anchor by default: the int8 kernel pays for itself. A follower is quantized only when its activation already
    /// is (an int8 Mul between float ops would add quantize/dequantize work and gain nothing).
    /// </summary>
    public virtual RulePhase Phase => RulePhase.Anchor;

    /// <summary>Where this node's tensors sit, or null when the node has no shape this rule quantizes.</summary>
    /// <param name="node">A node of one of <see cref="OpTypes"/>.</param>
    /// <param name="graph">For rules whose roles depend on which input is a constant.</param>
    public abstract LayerRoles? Roles(NodeProto node, GraphIndex graph);

    /// <summary>
    /// Whether the output is quantized when it is a graph output. Matrix products: no — QGemm then writes float
    /// directly and the logits keep full precision. Convolutions: yes, as the planner always did, although the graph
    /// output stays the float tensor, so the Q/DQ pair is not read and ONNX Runtime runs that last Conv in float.
    /// </summary>
    protected virtual bool QuantizesGraphOutput => true;

    /// <summary>Why this node cannot be quantized although it has the roles (checked before anything else), or null.</summary>
    protected virtual string? Unsupported(NodeProto node, PlanBuilder plan) => null;

    /// <summary>Adjusts the node once its weight and bias are the int8 ones (attributes that no longer apply).</summary>
    public virtual void OnQuantized(NodeProto node)
    {
    }

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        if (Unsupported(node, plan) is { } reason)
        {
            plan.Skip(node, reason);
            return;
        }
        if (plan.WhyLogNeedsFloat(node) is { } logReason)
        {
            // Its output must stay float, its weight need not: int8 behind DequantizeLinear, computed in float. An
            // elementwise operand (a Mul's scalar) is too small for that to pay and stays float.
            if (Roles(node, plan.Index) is { Weight.Kind: not WeightKind.Elementwise } roles)
            {
                plan.AddWeightOnly(node, [roles.Weight], logReason);
            }
            else
            {
                plan.Skip(node, logReason);
            }
            return;
        }
        if (Roles(node, plan.Index) is not { } layerRoles
            || (Phase == RulePhase.Follower && !plan.IsQuantized(node.Input[layerRoles.Activation]))
            || !plan.TryAddWeightedLayer(node, layerRoles))
        {
            return;
        }
        plan.QuantizeActivation(node.Input[layerRoles.Activation]);
        if (QuantizesGraphOutput)
        {
            plan.QuantizeOutput(node, 0);
        }
        else
        {
            plan.QuantizeOutputUnlessGraphOutput(node);
        }
    }
}
