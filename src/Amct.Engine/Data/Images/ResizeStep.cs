namespace Amct.Engine.Data.Images;

/// <summary>Resizes to an exact size, or so the shorter side has a given length (aspect ratio kept).</summary>
internal sealed class ResizeStep : IImageStep
{
    private readonly int? _shorterSide;
    private readonly ImageSize? _exact;
    private readonly Interpolation _interpolation;

    private ResizeStep(int? shorterSide, ImageSize? exact, Interpolation interpolation)
    {
        _shorterSide = shorterSide;
        _exact = exact;
        _interpolation = interpolation;
    }

    public static ResizeStep ShorterSide(int size, Interpolation interpolation) => new(size, null, interpolation);

    public static ResizeStep Exact(ImageSize size, Interpolation interpolation) => new(null, size, interpolation);

    public ImageSize Plan(ImageSize size, ImageOrigin origin)
    {
        if (_exact is { } exact)
        {
            return exact;
        }
        // The longer side is truncated, as torchvision's Resize(int) computes it: int(size * long / short).
        var target = _shorterSide!.Value;
        return size.Width <= size.Height
            ? new ImageSize(target, Longer(target, size.Height, size.Width))
            : new ImageSize(Longer(target, size.Width, size.Height), target);
    }

    public PixelImage Apply(PixelImage image, ImageOrigin origin) =>
        Resampler.Resize(image, Plan(image.Size, origin), _interpolation);

    public string Describe() =>
        (_exact is { } exact ? $"resize to {exact}" : $"resize shorter side to {ImageErrors.Count(_shorterSide!.Value)}") +
        $" ({_interpolation.ToString().ToLowerInvariant()})";

    private static int Longer(int target, int longer, int shorter) => (int)Math.Max(1, (long)target * longer / shorter);
}
