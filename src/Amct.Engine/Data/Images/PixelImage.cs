namespace Amct.Engine.Data.Images;

/// <summary>
/// 8-bit pixels, channels interleaved, rows top to bottom without padding: what the steps before normalization work
/// on. Keeping 8-bit values between steps is what Pillow does, so resized pixels round the way PIL/torchvision's do.
/// </summary>
internal sealed class PixelImage
{
    public PixelImage(int width, int height, int channels, byte[] pixels)
    {
        if (pixels.Length != (long)width * height * channels)
        {
            throw new ArgumentException($"{pixels.Length} bytes for {width}x{height}x{channels}", nameof(pixels));
        }
        Width = width;
        Height = height;
        Channels = channels;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>3 (RGB or BGR) or 1 (grayscale).</summary>
    public int Channels { get; }

    public byte[] Pixels { get; }

    public ImageSize Size => new(Width, Height);
}

/// <summary>What an image file's header says: its size and the format its bytes are in.</summary>
internal sealed record ImageHeader(int Width, int Height, ImageKind Kind)
{
    public ImageSize Size => new(Width, Height);
}
