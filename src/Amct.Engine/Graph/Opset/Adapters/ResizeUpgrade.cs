using System.Globalization;
using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// Upsample (opsets 7–9; scales an attribute before 9, an input from 9) and Resize version 10 become Resize-13.
/// Those versions scale by <c>scales</c> with output size floor(input · scale) and map an output coordinate x to the
/// input coordinate x / scale: Resize-13's coordinate_transformation_mode = "asymmetric". Linear mode then
/// interpolates the same way for any scale. Nearest mode takes the floor of the coordinate when enlarging
/// (nearest_mode = "floor"); how it rounded when shrinking was left to the runtime (ONNX Runtime rounds up), so
/// nearest with a scale below 1, or with scales only known at run time in Resize-10, is reported. Upsample's
/// scales are at least 1 by definition.
/// </summary>
internal sealed class ResizeUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        var isUpsample = node.OpType == "Upsample";
        if (!isUpsample && context.SourceOpset >= 11)
        {
            // Resize-11 and Resize-13 take the same inputs and attributes with the same meaning.
            context.Emit(node);
            return;
        }
        var mode = NodeAttributes.GetString(node, "mode", "nearest");
        if (mode is not ("nearest" or "linear"))
        {
            throw context.CannotConvert(node, $"its mode '{mode}' is not 'nearest' or 'linear'");
        }

        string scales;
        float[]? values;
        if (isUpsample && context.SourceOpset < 9)
        {
            values = NodeAttributes.GetFloats(node, "scales")
                ?? throw context.CannotConvert(node, "it has no 'scales' attribute, which Upsample-7 requires");
            scales = context.AddInitializer($"{LayerNames.Of(node)}_scales", TensorData.FromArray<float>("", [values.Length], values));
        }
        else
        {
            scales = node.Input.Count > 1 ? node.Input[1] : "";
            values = context.Constant(scales) is { DataType: DataTypes.Float } constant ? TensorData.ToArray<float>(constant, context.Source) : null;
        }
        if (mode == "nearest" && values is not null && values.Any(v => !(v >= 1f)))
        {
            throw context.CannotConvert(node, $"it shrinks by [{string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)))}] " +
                "in nearest mode, whose rounding was not defined before opset 11");
        }
        if (mode == "nearest" && values is null && !isUpsample)
        {
            throw context.CannotConvert(node, "its scales are computed at run time, so it cannot be shown that it does not " +
                "shrink in nearest mode, whose rounding was not defined before opset 11");
        }

        // Same name and outputs: the Resize stands in for the original node.
        var resize = new NodeProto { OpType = "Resize", Name = node.Name, Input = { node.Input[0], "", scales }, Output = { node.Output } };
        NodeAttributes.SetString(resize, "mode", mode);
        NodeAttributes.SetString(resize, "coordinate_transformation_mode", "asymmetric");
        if (mode == "nearest")
        {
            NodeAttributes.SetString(resize, "nearest_mode", "floor");
        }
        context.Emit(resize);
    }
}
