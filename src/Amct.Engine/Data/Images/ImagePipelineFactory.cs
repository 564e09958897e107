using Amct.Engine.Onnx;

namespace Amct.Engine.Data.Images;

/// <summary>
/// Resolves preprocessing settings against the model input they feed: explicit settings over the preset's, and every
/// setting still open from the input's shape. Without a preset or settings, images are resized to exactly the
/// model's size (bilinear), in RGB (grayscale for one channel), 0..255, in the input's layout and element type.
/// Errors name the data path and the setting to change.
/// </summary>
internal static class ImagePipelineFactory
{
    public static ImagePipeline Create(SampleSourceOptions options, ModelInput input, string dataPath)
    {
        var settings = ImagePresets.Effective(options);
        var shape = ImageInputShape.Of(input, settings.Layout, dataPath);
        var color = settings.Color ?? (shape.Channels == 1 ? ColorOrder.Grayscale : ColorOrder.Rgb);
        var colorStep = new ColorOrderStep(color);
        if (shape.Channels is { } channels && channels != colorStep.Channels)
        {
            throw new AmctException(ErrorCodes.ImageChannelMismatch, dataPath,
                $"the color order {colorStep.Describe()} makes {colorStep.Channels} channel(s) but input '{input.Name}' " +
                $"({DataErrors.Describe(input)}, {shape.Layout.ToString().ToUpperInvariant()}) takes {channels}. Use " +
                $"--color {(channels == 1 ? "gray" : "rgb or bgr")} or a preset made for the model.");
        }
        if (!TensorWriter.ElementTypes.Contains(input.ElementType))
        {
            throw new AmctException(ErrorCodes.ImageElementTypeUnsupported, dataPath,
                $"input '{input.Name}' takes {DataTypes.Name(input.ElementType)}, which image pixels are not written " +
                $"as (only {string.Join(", ", TensorWriter.ElementTypes.Select(DataTypes.Name))}). Give this input " +
                "data prepared in its own type (.npy or .bin) instead of images.");
        }
        var steps = new List<IImageStep>();
        var interpolation = settings.Interpolation ?? Interpolation.Bilinear;
        var (resize, crop) = ResizeAndCrop(settings, shape, input, dataPath);
        if (resize is not null)
        {
            steps.Add(resize is ExactResize exact
                ? ResizeStep.Exact(exact.Size, interpolation)
                : ResizeStep.ShorterSide(((ShorterSideResize)resize).Size, interpolation));
        }
        if (crop is { } cropSize)
        {
            steps.Add(new CenterCropStep(cropSize));
        }
        steps.Add(colorStep);
        var normalization = Normalize(settings, colorStep.Channels, dataPath);
        return new ImagePipeline(steps, new TensorWriter(shape.Layout, input.ElementType, normalization));
    }

    /// <summary>
    /// The resize (exact or shorter side, or null for none) and the crop (or null). Without a resize setting the
    /// image is resized to the model's size, unless a crop is given (then it is only cropped); without a crop
    /// setting, the image is cropped to the model's size unless the resize already makes that size.
    /// </summary>
    private static (ImageResize? Resize, ImageSize? Crop) ResizeAndCrop(ImagePreprocessing settings, ImageInputShape shape,
        ModelInput input, string dataPath)
    {
        var modelSize = shape.Size;
        ImageSize NeedModelSize(string what) => modelSize ?? throw new AmctException(ErrorCodes.ImageSizeUnknown, dataPath,
            $"input '{input.Name}' ({DataErrors.Describe(input)}) does not fix its image size, so amct cannot choose {what}. " +
            "Say what size to make: --resize 224x224 (exact), or --resize 256 --crop 224.");

        var resize = settings.Resize ?? (settings.Crop is null ? ImageResize.Exact(NeedModelSize("a size")) : ImageResize.None);
        var crop = settings.Crop ?? DefaultCrop(resize, modelSize);
        if (resize is CropFractionResize fraction)
        {
            var cropSize = crop ?? NeedModelSize("the crop");
            crop = cropSize;
            var shorter = Math.Round(Math.Min(cropSize.Width, cropSize.Height) / fraction.CropFraction, MidpointRounding.AwayFromZero);
            resize = ImageResize.ShorterSide((int)Math.Clamp(shorter, 1, SampleSourceOptionsText.MaxPixels));
        }
        var output = crop ?? (resize as ExactResize)?.Size;
        if (modelSize is { } fixedSize && output is { } made && made != fixedSize)
        {
            throw new AmctException(ErrorCodes.ImageSizeMismatch, dataPath,
                $"the preprocessing makes {made} images but input '{input.Name}' ({DataErrors.Describe(input)}) takes " +
                $"{fixedSize} (width x height). Crop or resize to {fixedSize}, or leave the size settings out: they " +
                "default to the model's size.");
        }
        return (resize is NoResize ? null : resize, crop);
    }

    /// <summary>
    /// The model's size, except after an exact resize to it (nothing left to crop) or smaller than it (the size
    /// check then says the resize is wrong, rather than every image being too small for the crop).
    /// </summary>
    private static ImageSize? DefaultCrop(ImageResize resize, ImageSize? modelSize) =>
        resize is ExactResize { Size: var size } && modelSize is { } model
            && (size == model || size.Width < model.Width || size.Height < model.Height)
            ? null
            : modelSize;

    private static Normalization Normalize(ImagePreprocessing settings, int channels, string dataPath)
    {
        var scale = settings.Scale ?? 1;
        if (!double.IsFinite(scale) || scale == 0)
        {
            throw Invalid(dataPath, $"the scale {scale} would make every value the same; give a finite scale other than 0 (e.g. --scale 1/255)");
        }
        var mean = PerChannel(settings.Mean ?? [0], channels, "mean", dataPath);
        var std = PerChannel(settings.Std ?? [1], channels, "std", dataPath);
        if (mean.Any(m => !double.IsFinite(m)) || std.Any(s => !double.IsFinite(s) || s == 0))
        {
            throw Invalid(dataPath, "mean and std values must be finite numbers and std values must not be 0");
        }
        return new Normalization(scale, mean, std);
    }

    private static double[] PerChannel(IReadOnlyList<double> values, int channels, string name, string dataPath) =>
        values.Count == 1 ? Enumerable.Repeat(values[0], channels).ToArray()
        : values.Count == channels ? values.ToArray()
        : throw Invalid(dataPath,
            $"the {name} has {values.Count} values but the tensor has {channels} channel(s); give one value per " +
            $"channel in the tensor's channel order, or one value for all (--{name})");

    private static AmctException Invalid(string dataPath, string message) =>
        new(ErrorCodes.PreprocessSettingInvalid, dataPath, message + ".");
}
