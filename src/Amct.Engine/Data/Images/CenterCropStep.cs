namespace Amct.Engine.Data.Images;

/// <summary>
/// Cuts the central region out. The offset is rounded down, left = (width - crop width) / 2, as the reference
/// tensors (numpy slicing with //) and Caffe compute it; torchvision rounds half to even instead, which moves the
/// window by one pixel for some odd differences.
/// </summary>
internal sealed class CenterCropStep(ImageSize crop) : IImageStep
{
    public ImageSize Crop { get; } = crop;

    public ImageSize Plan(ImageSize size, ImageOrigin origin)
    {
        if (size.Width < Crop.Width || size.Height < Crop.Height)
        {
            var resized = size == origin.Size ? "" : $" after resizing ({origin.Size} in the file)";
            throw ImageErrors.TooSmall(origin.File, size, Crop, resized);
        }
        return Crop;
    }

    public PixelImage Apply(PixelImage image, ImageOrigin origin)
    {
        Plan(image.Size, origin);
        if (image.Size == Crop)
        {
            return image;
        }
        var left = (image.Width - Crop.Width) / 2;
        var top = (image.Height - Crop.Height) / 2;
        var channels = image.Channels;
        var rowLength = Crop.Width * channels;
        var pixels = new byte[rowLength * Crop.Height];
        for (var y = 0; y < Crop.Height; y++)
        {
            image.Pixels.AsSpan((((top + y) * image.Width) + left) * channels, rowLength)
                .CopyTo(pixels.AsSpan(y * rowLength));
        }
        return new PixelImage(Crop.Width, Crop.Height, channels, pixels);
    }

    public string Describe() => $"center crop {Crop}";
}
