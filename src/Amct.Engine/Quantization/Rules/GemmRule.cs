using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Gemm with a constant B: A at input 0, int8 B at input 1 (per output column by default: axis 1, or 0 when
/// transB=1), an int32 bias from a 1-D C at input 2; any other C stays a float input. alpha and beta are
/// <see cref="GemmScaling"/>'s business: folded into B and C before planning, and a Gemm whose scales could not be
/// folded stays float. The output is quantized unless it is a graph output.
/// </summary>
public sealed class GemmRule : WeightedOpRule
{
    public override IReadOnlyCollection<string> OpTypes { get; } = ["Gemm"];

    protected override bool QuantizesGraphOutput => false;

    public override LayerRoles Roles(NodeProto node, GraphIndex graph)
    {
        var transB = node.Attribute.FirstOrDefault(a => a.Name == "transB")?.I ?? 0;
        return new(Activation: 0,
            new WeightRole(Input: 1, ChannelAxis: transB == 1 ? 0 : 1, WeightKind.MatMulLike),
            new BiasRole(Input: 2, StaysFloatIfNotConstant: true));
    }

    protected override string? Unsupported(NodeProto node, PlanBuilder plan) =>
        GemmScaling.HasUnfoldedScale(node) ? "its alpha or beta could not be folded (B or C is not an initializer)" : null;

    public override void OnQuantized(NodeProto node) => GemmScaling.RemoveScaleAttributes(node);
}
