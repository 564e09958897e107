using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Conv and ConvTranspose: X at input 0, an int8 weight at input 1 (per output channel by default: axis 0 for Conv,
/// axis 1 for ConvTranspose, whose weight is [C_in, C_out/group, …]), an int32 bias at input 2, quantized input and
/// output, so ONNX Runtime fuses DQ→Conv→Q into QLinearConv.
/// </summary>
public sealed class ConvRule : WeightedOpRule
{
    public override IReadOnlyCollection<string> OpTypes { get; } = ["Conv", "ConvTranspose"];

    public override LayerRoles Roles(NodeProto node, GraphIndex graph) =>
        new(Activation: 0,
            new WeightRole(Input: 1, ChannelAxis(node), WeightKind.ConvLike),
            new BiasRole(Input: 2, StaysFloatIfNotConstant: false));

    private static int? ChannelAxis(NodeProto node)
    {
        if (node.OpType != "ConvTranspose")
        {
            return 0;
        }
        // With groups, axis 1 of a ConvTranspose weight holds C_out/group channels per group, and output channel
        // g·(C_out/group) + j takes its kernels from group g's rows: no one weight axis lists the output channels, so
        // a per-axis scale cannot follow them. One scale for the tensor instead.
        var group = node.Attribute.FirstOrDefault(a => a.Name == "group")?.I ?? 1;
        return group == 1 ? 1 : null;
    }
}
