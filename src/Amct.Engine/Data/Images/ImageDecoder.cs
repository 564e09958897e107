using Amct.Engine.IO;
using StbImageSharp;

namespace Amct.Engine.Data.Images;

/// <summary>
/// Decodes JPEG, PNG and BMP files with StbImageSharp, a managed port of stb_image: no native library to ship for
/// each platform (SkiaSharp's added 28 MB to the package). Its JPEG inverse DCT differs from libjpeg-turbo's (the
/// decoder Pillow, OpenCV and torchvision use) by at most 3 units per pixel, mean 0.06, over the 300 imagenet-dev
/// photos; PNG and BMP are lossless, so they match exactly. Images are decoded as stored: no color management (no ICC
/// conversion) and no EXIF rotation, as PIL.Image.open and cv2.imread(IMREAD_IGNORE_ORIENTATION) read them; alpha is
/// dropped without blending, as Pillow's convert("RGB") does.
/// </summary>
internal static class ImageDecoder
{
    /// <summary>
    /// Pixels an image may have. Far beyond any photo a model takes, and it keeps a hostile header (a small file
    /// announcing a huge image) from allocating gigabytes.
    /// </summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>Reads the header only: checks the format is supported and the file starts like an image of it.</summary>
    public static ImageHeader ReadHeader(string file)
    {
        try
        {
            using var stream = UserFile.OpenRead(file);
            var head = new byte[ImageSignature.Length];
            var headLength = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            var kind = CheckedKind(file, head.AsSpan(0, headLength));
            stream.Position = 0;
            return ParsedHeader(file, new EndGuardStream(stream), kind);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(file, e);
        }
    }

    /// <summary>Decodes the whole image as 8-bit RGB.</summary>
    public static PixelImage Decode(string file)
    {
        byte[] bytes;
        try
        {
            bytes = UserFile.ReadAllBytes(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(file, e);
        }
        var kind = CheckedKind(file, bytes.AsSpan(0, Math.Min(bytes.Length, ImageSignature.Length)));
        var header = ParsedHeader(file, Guarded(bytes), kind);
        ImageResult image;
        try
        {
            image = ImageResult.FromStream(Guarded(bytes), ColorComponents.RedGreenBlue);
        }
        catch (EndOfStreamException)
        {
            throw ImageErrors.Corrupt(file, Truncated(kind));
        }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            throw ImageErrors.Corrupt(file, $"the {ImageSignature.Name(kind)} data is invalid");
        }
        if (image.Width != header.Width || image.Height != header.Height)
        {
            throw ImageErrors.Corrupt(file, $"the {ImageSignature.Name(kind)} header gives the size {header.Size}, the data {image.Width}x{image.Height}");
        }
        return new PixelImage(header.Width, header.Height, 3, image.Data);
    }

    private static EndGuardStream Guarded(byte[] bytes) => new(new MemoryStream(bytes, writable: false));

    /// <summary>stb_image reports every decoding failure as an exception with a terse reason (or none).</summary>
    private static bool IsDecodingFailure(Exception e) =>
        e is InvalidOperationException or NotSupportedException or ArgumentException or IndexOutOfRangeException or OverflowException;

    private static ImageHeader ParsedHeader(string file, Stream stream, ImageKind kind)
    {
        ImageInfo? info;
        try
        {
            info = ImageInfo.FromStream(stream);
        }
        catch (EndOfStreamException)
        {
            throw ImageErrors.Corrupt(file, Truncated(kind));
        }
        catch (Exception e) when (IsDecodingFailure(e))
        {
            info = null;
        }
        return info is { } parsed ? CheckedHeader(file, parsed.Width, parsed.Height, kind)
            : throw ImageErrors.Corrupt(file, $"it starts like a {ImageSignature.Name(kind)} file but its header does not parse");
    }

    private static ImageKind CheckedKind(string file, ReadOnlySpan<byte> head)
    {
        if (head.IsEmpty)
        {
            throw ImageErrors.Corrupt(file, "the file is empty");
        }
        var kind = ImageSignature.Detect(head);
        return ImageSignature.IsSupported(kind) ? kind : throw ImageErrors.Unsupported(file, kind, head);
    }

    private static ImageHeader CheckedHeader(string file, int width, int height, ImageKind kind)
    {
        var header = new ImageHeader(width, height, kind);
        if (header.Width <= 0 || header.Height <= 0)
        {
            throw ImageErrors.Corrupt(file, $"the {ImageSignature.Name(kind)} header gives the size {header.Size}");
        }
        if ((long)header.Width * header.Height > MaxPixels)
        {
            throw ImageErrors.TooLarge(file, header.Size, MaxPixels);
        }
        return header;
    }

    private static string Truncated(ImageKind kind) => $"the {ImageSignature.Name(kind)} data ends early (the file is truncated)";
}
