namespace Amct.Engine.Data.Images;

/// <summary>
/// Where a rank-4 model input keeps channels, height and width, and which of them it fixes. The layout is the
/// setting's when given, else the input's: channels are the axis (dim 1 or dim 3) of size 1 or 3, preferring 3 and
/// then dim 1; a dynamic axis can be channels too, and an input that fixes neither is taken as NCHW, ONNX's usual
/// layout.
/// </summary>
internal sealed record ImageInputShape(TensorLayout Layout, int? Channels, ImageSize? Size)
{
    public static ImageInputShape Of(ModelInput input, TensorLayout? layoutSetting, string dataPath)
    {
        if (input.Shape.Count != 4)
        {
            throw NotImage(input, dataPath, $"its rank is {input.Shape.Count}");
        }
        var layout = layoutSetting ?? Infer(input, dataPath);
        var (c, h, w) = layout == TensorLayout.Nchw ? (1, 2, 3) : (3, 1, 2);
        var channels = input.Shape[c];
        if (channels is not (null or 1 or 3))
        {
            throw NotImage(input, dataPath,
                $"as {layout.ToString().ToUpperInvariant()} it has {channels} channels, and images have 1 or 3");
        }
        var size = input.Shape[h] is { } height && input.Shape[w] is { } width
            ? new ImageSize(checked((int)width), checked((int)height))
            : (ImageSize?)null;
        return new ImageInputShape(layout, (int?)channels, size);
    }

    private static TensorLayout Infer(ModelInput input, string dataPath)
    {
        var (first, last) = (input.Shape[1], input.Shape[3]);
        var firstFits = first is 1 or 3;
        var lastFits = last is 1 or 3;
        if (firstFits && lastFits)
        {
            // [1,1,W,3] or [1,3,H,1]: color (3) is the likelier channel axis; a tie stays ONNX's NCHW.
            return last == 3 && first != 3 ? TensorLayout.Nhwc : TensorLayout.Nchw;
        }
        return firstFits ? TensorLayout.Nchw
            : lastFits ? TensorLayout.Nhwc
            : first is null ? TensorLayout.Nchw
            : last is null ? TensorLayout.Nhwc
            : throw NotImage(input, dataPath, "neither dim 1 nor dim 3 is a channel axis of 1 or 3");
    }

    private static AmctException NotImage(ModelInput input, string dataPath, string why) =>
        new(ErrorCodes.ImageInputNotImage, dataPath,
            $"input '{input.Name}' ({DataErrors.Describe(input)}) is not an image input: {why}. Image data feeds inputs " +
            "shaped [N,C,H,W] or [N,H,W,C] with 1 or 3 channels; give this input its data as .npy, .npz or .bin " +
            "instead, or set --layout if the channel axis was not recognized.");
}
