namespace Amct.Engine.Data.Images;

/// <summary>Turns decoded RGB into the tensor's channel order: RGB as is, BGR swapped, or one luma channel.</summary>
internal sealed class ColorOrderStep(ColorOrder order) : IImageStep
{
    public ColorOrder Order { get; } = order;

    /// <summary>Channels of the result.</summary>
    public int Channels => Order == ColorOrder.Grayscale ? 1 : 3;

    public ImageSize Plan(ImageSize size, ImageOrigin origin) => size;

    public PixelImage Apply(PixelImage image, ImageOrigin origin) => Order switch
    {
        ColorOrder.Rgb => image,
        ColorOrder.Bgr => SwapRedBlue(image),
        _ => Luma(image),
    };

    public string Describe() => Order switch
    {
        ColorOrder.Rgb => "RGB",
        ColorOrder.Bgr => "BGR",
        _ => "grayscale",
    };

    private static PixelImage SwapRedBlue(PixelImage image)
    {
        var source = image.Pixels;
        var pixels = new byte[source.Length];
        for (var i = 0; i < source.Length; i += 3)
        {
            pixels[i] = source[i + 2];
            pixels[i + 1] = source[i + 1];
            pixels[i + 2] = source[i];
        }
        return new PixelImage(image.Width, image.Height, 3, pixels);
    }

    /// <summary>
    /// ITU-R 601-2 luma, L = 0.299 R + 0.587 G + 0.114 B, in 16-bit fixed point rounded to nearest, as Pillow's
    /// convert("L"); gray pixels (R = G = B) keep their value.
    /// </summary>
    private static PixelImage Luma(PixelImage image)
    {
        var source = image.Pixels;
        var pixels = new byte[source.Length / 3];
        for (var i = 0; i < pixels.Length; i++)
        {
            var rgb = i * 3;
            pixels[i] = (byte)(((source[rgb] * 19595) + (source[rgb + 1] * 38470) + (source[rgb + 2] * 7471) + 0x8000) >> 16);
        }
        return new PixelImage(image.Width, image.Height, 1, pixels);
    }
}
