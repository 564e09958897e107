using System.Globalization;

namespace Amct.Engine.Data.Images;

/// <summary>The image errors, worded once. The target is the image file.</summary>
internal static class ImageErrors
{
    public static AmctException Corrupt(string file, string detail) =>
        new(ErrorCodes.ImageCorrupt, file,
            $"the image is damaged: {detail}. It was probably cut short while copying or downloading, or written by a " +
            "faulty tool; copy or export it again, or remove it from the data.");

    public static AmctException Unsupported(string file, ImageKind kind, ReadOnlySpan<byte> head)
    {
        var what = kind == ImageKind.Unknown
            ? $"is not an image in a format amct reads (it starts with {Hex(head)})"
            : $"holds a {ImageSignature.Name(kind)} image";
        return new(ErrorCodes.ImageFormatUnsupported, file,
            $"the file {what}; image data must be JPEG, PNG or BMP files. Convert it (e.g. to PNG, which loses " +
            "nothing) or remove it from the data.");
    }

    public static AmctException TooLarge(string file, ImageSize size, long maxPixels) =>
        new(ErrorCodes.ImageTooLarge, file,
            $"the image is {size} ({Count((long)size.Width * size.Height)} pixels), more than the " +
            $"{Count(maxPixels)} amct decodes. Scale it down to about the size the model takes before adding it to the data.");

    public static AmctException TooSmall(string file, ImageSize image, ImageSize crop, string resized) =>
        new(ErrorCodes.ImageTooSmall, file,
            $"the image is {image}{resized}, smaller than the {crop} center crop. Remove the image, or resize so the " +
            $"shorter side is at least the crop's (e.g. --resize {Math.Max(crop.Width, crop.Height)}).");

    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Hex(ReadOnlySpan<byte> head) =>
        head.IsEmpty ? "nothing" : "bytes " + Convert.ToHexString(head[..Math.Min(head.Length, 8)]);
}
