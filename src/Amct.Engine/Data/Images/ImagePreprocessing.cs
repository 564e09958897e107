namespace Amct.Engine.Data.Images;

/// <summary>
/// How images become a model's input tensor: resize, center crop, color order, scale/mean/std, layout. Each setting
/// left null takes the preset's value (<see cref="SampleSourceOptions.Preset"/>), else a default derived from the
/// model's input (see <see cref="ImagePipelineFactory"/>). The element type is always the model input's.
/// </summary>
public sealed record ImagePreprocessing
{
    /// <summary>How to resize the decoded image; null: the preset's, else exactly the model's size.</summary>
    public ImageResize? Resize { get; init; }

    /// <summary>How resizing interpolates; null: the preset's, else bilinear.</summary>
    public Interpolation? Interpolation { get; init; }

    /// <summary>The center crop (width × height); null: the model's size when a resize does not already give it.</summary>
    public ImageSize? Crop { get; init; }

    /// <summary>The channel order of the tensor; null: the preset's, else RGB (grayscale for 1-channel inputs).</summary>
    public ColorOrder? Color { get; init; }

    /// <summary>Pixels (0..255) are multiplied by this first, e.g. 1/255; null: the preset's, else 1.</summary>
    public double? Scale { get; init; }

    /// <summary>
    /// Subtracted after scaling: one value per tensor channel, in the tensor's channel order (B,G,R for BGR), or one
    /// value for all; null: the preset's, else 0.
    /// </summary>
    public IReadOnlyList<double>? Mean { get; init; }

    /// <summary>Divides after the mean is subtracted, per channel like <see cref="Mean"/>; null: the preset's, else 1.</summary>
    public IReadOnlyList<double>? Std { get; init; }

    /// <summary>NCHW or NHWC; null: what the model's input shape says (channels of 1 or 3 in dim 1 or dim 3).</summary>
    public TensorLayout? Layout { get; init; }

    /// <summary>These settings, with every one left null taken from <paramref name="lower"/> (a preset).</summary>
    public ImagePreprocessing Over(ImagePreprocessing lower)
    {
        ArgumentNullException.ThrowIfNull(lower);
        return new ImagePreprocessing
        {
            Resize = Resize ?? lower.Resize,
            Interpolation = Interpolation ?? lower.Interpolation,
            Crop = Crop ?? lower.Crop,
            Color = Color ?? lower.Color,
            Scale = Scale ?? lower.Scale,
            Mean = Mean ?? lower.Mean,
            Std = Std ?? lower.Std,
            Layout = Layout ?? lower.Layout,
        };
    }
}

/// <summary>The order of the channels in the tensor. Images are decoded as RGB.</summary>
public enum ColorOrder
{
    /// <summary>Red, green, blue (PyTorch, TensorFlow).</summary>
    Rgb,

    /// <summary>Blue, green, red (Caffe, OpenCV).</summary>
    Bgr,

    /// <summary>One channel of luma, L = 0.299 R + 0.587 G + 0.114 B (as Pillow's convert("L")).</summary>
    Grayscale,
}

/// <summary>Where the channel axis is.</summary>
public enum TensorLayout
{
    /// <summary>[N, C, H, W] (PyTorch, Caffe, ONNX's default).</summary>
    Nchw,

    /// <summary>[N, H, W, C] (TensorFlow).</summary>
    Nhwc,
}

/// <summary>
/// Resampling filters, computed as Pillow computes them (separable, the filter widened when shrinking so every source
/// pixel counts, 8-bit results after each pass), so resized pixels match PIL/torchvision preprocessing.
/// </summary>
public enum Interpolation
{
    /// <summary>The source pixel whose center is nearest.</summary>
    Nearest,

    /// <summary>Triangle filter (PIL.Image.BILINEAR).</summary>
    Bilinear,

    /// <summary>Keys cubic filter with a = -0.5 (PIL.Image.BICUBIC).</summary>
    Bicubic,
}

/// <summary>A size in pixels.</summary>
public readonly record struct ImageSize(int Width, int Height)
{
    /// <summary>"224x224" (width × height).</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Width}x{Height}");
}

/// <summary>How the decoded image is resized before the crop.</summary>
public abstract record ImageResize
{
    /// <summary>Keep the decoded size.</summary>
    public static ImageResize None { get; } = new NoResize();

    /// <summary>Scale so the shorter side is <paramref name="size"/>, keeping the aspect ratio (torchvision Resize(int)).</summary>
    public static ImageResize ShorterSide(int size) => new ShorterSideResize(size);

    /// <summary>Scale to exactly <paramref name="size"/>, ignoring the aspect ratio.</summary>
    public static ImageResize Exact(ImageSize size) => new ExactResize(size);

    /// <summary>
    /// Scale so the shorter side is the crop's shorter side divided by <paramref name="cropFraction"/>: the ImageNet
    /// convention (224 / 0.875 = 256) for whatever size the model takes.
    /// </summary>
    public static ImageResize ShorterSideForCrop(double cropFraction) => new CropFractionResize(cropFraction);
}

/// <summary>See <see cref="ImageResize.None"/>.</summary>
public sealed record NoResize : ImageResize
{
    public override string ToString() => "none";
}

/// <summary>See <see cref="ImageResize.ShorterSide"/>.</summary>
public sealed record ShorterSideResize(int Size) : ImageResize
{
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"shorter side {Size}");
}

/// <summary>See <see cref="ImageResize.Exact"/>.</summary>
public sealed record ExactResize(ImageSize Size) : ImageResize
{
    public override string ToString() => Size.ToString();
}

/// <summary>See <see cref="ImageResize.ShorterSideForCrop"/>.</summary>
public sealed record CropFractionResize(double CropFraction) : ImageResize
{
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"shorter side crop/{CropFraction}");
}
