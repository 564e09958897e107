using Amct.Engine.Onnx;

namespace Amct.Engine.Graph.Opset.Adapters;

/// <summary>
/// Softmax, LogSoftmax and Hardmax before opset 13 coerce the input to 2-D at <c>axis</c> (default 1) — dims
/// [d0…d(axis−1)] × [d(axis)…d(n−1)] — and normalize over the second dimension, i.e. over all trailing axes at
/// once. From 13 they normalize along the one axis <c>axis</c> (default −1). The two agree when at most one of the
/// trailing axes can be longer than 1; then only the axis changes. Otherwise (or when the rank is not known) the
/// old behaviour is rebuilt exactly: Flatten(axis) → op(axis 1 of the 2-D tensor) → Reshape back to Shape(input).
/// </summary>
internal sealed class SoftmaxUpgrade : IOpUpgrade
{
    public void Upgrade(NodeProto node, UpgradeContext context)
    {
        var axis = NodeAttributes.GetInt(node, "axis", 1);
        var input = node.Input[0];
        // The op keeps the shape, so a shape declared for the output is the input's shape as well.
        var dims = context.Hints.Of(input).Dims ?? context.Hints.Of(node.Output[0]).Dims;
        var first = dims is null ? -1 : axis < 0 ? axis + dims.Count : axis;
        if (dims is not null && first >= 0 && first < dims.Count)
        {
            var longAxes = Enumerable.Range((int)first, dims.Count - (int)first).Where(a => dims[a] != 1).ToList();
            if (longAxes.Count <= 1)
            {
                NodeAttributes.SetInt(node, "axis", longAxes.Count == 1 ? longAxes[0] : first);
                context.Emit(node);
                return;
            }
        }

        var layer = LayerNames.Of(node);
        var output = node.Output[0];
        var flat = context.FreshName($"{layer}_2d_input");
        var normalized = context.FreshName($"{layer}_2d_output");
        var shape = context.FreshName($"{layer}_input_shape");

        var flatten = context.NewNode("Flatten", $"{layer}_flatten", [input], [flat]);
        NodeAttributes.SetInt(flatten, "axis", axis);
        context.Emit(flatten);

        // The original node keeps its name (configs and records refer to it) and now works on the 2-D tensor.
        node.Input[0] = flat;
        node.Output[0] = normalized;
        NodeAttributes.SetInt(node, "axis", 1);
        context.Emit(node);

        context.Emit(context.NewNode("Shape", $"{layer}_shape", [input], [shape]));
        context.Emit(context.NewNode("Reshape", $"{layer}_reshape", [normalized, shape], [output]));
    }
}
