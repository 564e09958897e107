using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// MatMul with a constant 2-D B [K, N] at input 1: int8 B, per output column (axis 1) by default. Like Gemm, the
/// output is quantized unless it is a graph output.
/// </summary>
public sealed class MatMulRule : WeightedOpRule
{
    public override IReadOnlyCollection<string> OpTypes { get; } = ["MatMul"];

    protected override bool QuantizesGraphOutput => false;

    public override LayerRoles Roles(NodeProto node, GraphIndex graph) =>
        new(Activation: 0, new WeightRole(Input: 1, ChannelAxis: 1, WeightKind.MatMulLike));

    protected override string? Unsupported(NodeProto node, PlanBuilder plan) =>
        node.Input.Count > 1 && plan.Constant(node.Input[1]) is { } weight && weight.Dims.Count != 2
            ? "its constant input B is not 2-D"
            : null;
}
