namespace Amct.Engine.Data.Images;

/// <summary>
/// Named preprocessing conventions, so most users write one word. Each resizes the shorter side to the crop / 0.875
/// (256 for a 224 crop) with Pillow's bilinear filter and center-crops to the model's input size; they differ in
/// color order and normalization.
/// </summary>
public static class ImagePresets
{
    /// <summary>The ImageNet convention: the crop is the central 87.5 % (224 of 256).</summary>
    public const double ImageNetCropFraction = 0.875;

    private static readonly Dictionary<string, (ImagePreprocessing Settings, string Summary)> ByName =
        new(StringComparer.OrdinalIgnoreCase)
        {
            // Caffe models (SqueezeNet, GoogLeNet, VGG from the Caffe zoo): BGR 0..255 minus the per-channel ImageNet
            // mean, listed in tensor order B, G, R.
            ["imagenet-caffe"] = (ImageNet(ColorOrder.Bgr, scale: 1, mean: [104, 117, 123], std: [1, 1, 1]),
                "BGR 0..255 minus mean [104,117,123] (Caffe)"),
            // torchvision models: RGB / 255, then the ImageNet mean and std.
            ["imagenet-torch"] = (ImageNet(ColorOrder.Rgb, scale: 1 / 255.0, mean: [0.485, 0.456, 0.406],
                std: [0.229, 0.224, 0.225]), "RGB/255, mean [0.485,0.456,0.406], std [0.229,0.224,0.225] (PyTorch)"),
            // TensorFlow/Keras "tf" mode (Inception, MobileNet, EfficientNet-lite): RGB scaled to [-1, 1].
            ["imagenet-tf"] = (ImageNet(ColorOrder.Rgb, scale: 1 / 127.5, mean: [1], std: [1]),
                "RGB/127.5 - 1, values in [-1,1] (TensorFlow)"),
        };

    /// <summary>The preset names, sorted.</summary>
    public static IReadOnlyList<string> Names { get; } = ByName.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The names with what each does, for help texts.</summary>
    public static string Describe() =>
        string.Join("; ", Names.Select(name => $"{name}: {ByName[name].Summary}"));

    /// <summary>The settings of a preset; <paramref name="setting"/> names where the name came from, for errors.</summary>
    public static ImagePreprocessing Get(string name, string setting = "preset")
    {
        ArgumentNullException.ThrowIfNull(name);
        return ByName.TryGetValue(name.Trim(), out var preset)
            ? preset.Settings
            : throw new AmctException(ErrorCodes.PreprocessPresetUnknown, setting,
                $"there is no preprocessing preset '{name}'. The presets are {Describe()}. Pick the one the model " +
                "was trained with, or give the preprocessing settings one by one.");
    }

    /// <summary>The explicit settings of <paramref name="options"/> over its preset (if any).</summary>
    public static ImagePreprocessing Effective(SampleSourceOptions options, string setting = "preset")
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Preset is { } preset ? options.Image.Over(Get(preset, setting)) : options.Image;
    }

    private static ImagePreprocessing ImageNet(ColorOrder color, double scale, double[] mean, double[] std) => new()
    {
        Resize = ImageResize.ShorterSideForCrop(ImageNetCropFraction),
        Interpolation = Interpolation.Bilinear,
        Color = color,
        Scale = scale,
        Mean = mean,
        Std = std,
    };
}
