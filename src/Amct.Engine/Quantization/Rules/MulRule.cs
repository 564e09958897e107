using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Mul of an already quantized activation by a constant, on either side (a per-channel scale left by an exporter,
/// a normalization's gamma): the constant is the weight, quantized with one scale, and the output gets its own
/// factors, so ONNX Runtime fuses DQ→Mul→Q into QLinearMul and the int8 chain is not broken by a float island. A Mul
/// of float data stays float (an elementwise product gains nothing from int8 on its own), as does a Mul of two
/// activations or of two constants.
/// </summary>
public sealed class MulRule : WeightedOpRule
{
    public override IReadOnlyCollection<string> OpTypes { get; } = ["Mul"];

    public override RulePhase Phase => RulePhase.Follower;

    protected override bool QuantizesGraphOutput => false;

    public override LayerRoles? Roles(NodeProto node, GraphIndex graph)
    {
        if (node.Input.Count != 2)
        {
            return null;
        }
        var constant = node.Input.Select(i => graph.Constant(i) is not null).ToArray();
        if (constant[0] == constant[1])
        {
            return null;
        }
        var weight = constant[0] ? 0 : 1;
        return new LayerRoles(Activation: 1 - weight, new WeightRole(weight, ChannelAxis: null, WeightKind.Elementwise));
    }
}
