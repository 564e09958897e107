using Amct.Engine.IO;
using SkiaSharp;

namespace Amct.Engine.Data.Images;

/// <summary>
/// Decodes JPEG, PNG and BMP files with SkiaSharp (libjpeg-turbo, libpng inside: the decoders Pillow, OpenCV and
/// torchvision use, so pixels match theirs exactly). Images are decoded as stored: no color management (no ICC
/// conversion) and no EXIF rotation, as PIL.Image.open and cv2.imread(IMREAD_IGNORE_ORIENTATION) read them; alpha is
/// dropped without blending, as Pillow's convert("RGB") does.
/// </summary>
internal static class SkiaImageDecoder
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
            using var codec = SKCodec.Create(stream, out var result) ?? throw NotDecodable(file, kind, result);
            return CheckedHeader(file, codec, kind);
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
        using var data = SKData.CreateCopy(bytes);
        // The codec takes the memory stream over and releases it with itself.
        using var codec = SKCodec.Create(new SKMemoryStream(data), out var created) ?? throw NotDecodable(file, kind, created);
        var header = CheckedHeader(file, codec, kind);
        // Straight (unpremultiplied) RGBA with no color space: the stored values, untouched.
        var info = new SKImageInfo(header.Width, header.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[info.BytesSize];
        var result = codec.GetPixels(info, rgba);
        if (result != SKCodecResult.Success)
        {
            // libjpeg fills what is missing with gray and Skia reports it; a model must never calibrate on that.
            throw NotDecodable(file, kind, result);
        }
        return new PixelImage(header.Width, header.Height, 3, DropAlpha(rgba, header.Width * header.Height));
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

    private static ImageHeader CheckedHeader(string file, SKCodec codec, ImageKind kind)
    {
        var header = new ImageHeader(codec.Info.Width, codec.Info.Height, kind);
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

    private static AmctException NotDecodable(string file, ImageKind kind, SKCodecResult result)
    {
        var name = ImageSignature.Name(kind);
        return ImageErrors.Corrupt(file, result switch
        {
            SKCodecResult.IncompleteInput => $"the {name} data ends early (the file is truncated)",
            SKCodecResult.ErrorInInput => $"the {name} data is invalid",
            SKCodecResult.InvalidInput or SKCodecResult.Unimplemented => $"it starts like a {name} file but its header does not parse",
            _ => $"the {name} decoder failed ({result})",
        });
    }

    private static byte[] DropAlpha(byte[] rgba, int pixels)
    {
        var rgb = new byte[pixels * 3];
        for (int i = 0, j = 0; i < pixels; i++, j += 4)
        {
            rgb[i * 3] = rgba[j];
            rgb[(i * 3) + 1] = rgba[j + 1];
            rgb[(i * 3) + 2] = rgba[j + 2];
        }
        return rgb;
    }
}
