namespace Amct.Engine.Data.Images;

/// <summary>
/// The format an image file's first bytes announce, whatever its name says. Only JPEG, PNG and BMP are read:
/// the formats photos for models come in, each decoded exactly; the others are named so errors can say what a file is.
/// </summary>
internal enum ImageKind
{
    Unknown,
    Jpeg,
    Png,
    Bmp,
    Gif,
    WebP,
    Tiff,
    Heif,
    Avif,
    Ico,
}

/// <summary>Recognizes image formats by their signatures (magic bytes).</summary>
internal static class ImageSignature
{
    /// <summary>How many leading bytes <see cref="Detect"/> needs.</summary>
    public const int Length = 16;

    public static bool IsSupported(ImageKind kind) => kind is ImageKind.Jpeg or ImageKind.Png or ImageKind.Bmp;

    public static ImageKind Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ImageKind.Jpeg;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return ImageKind.Png;
        }
        if (head.StartsWith("BM"u8))
        {
            return ImageKind.Bmp;
        }
        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return ImageKind.Gif;
        }
        if (head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8))
        {
            return ImageKind.WebP;
        }
        if (head.StartsWith("II*\0"u8) || head.StartsWith("MM\0*"u8))
        {
            return ImageKind.Tiff;
        }
        if (head.Length >= 12 && head[4..8].SequenceEqual("ftyp"u8))
        {
            return head[8..12].SequenceEqual("avif"u8) || head[8..12].SequenceEqual("avis"u8) ? ImageKind.Avif : ImageKind.Heif;
        }
        if (head.StartsWith((ReadOnlySpan<byte>)[0, 0, 1, 0]))
        {
            return ImageKind.Ico;
        }
        return ImageKind.Unknown;
    }

    /// <summary>"JPEG", "GIF", ... for messages.</summary>
    public static string Name(ImageKind kind) => kind switch
    {
        ImageKind.Jpeg => "JPEG",
        ImageKind.Png => "PNG",
        ImageKind.Bmp => "BMP",
        ImageKind.Gif => "GIF",
        ImageKind.WebP => "WebP",
        ImageKind.Tiff => "TIFF",
        ImageKind.Heif => "HEIF/HEIC",
        ImageKind.Avif => "AVIF",
        ImageKind.Ico => "ICO",
        _ => "unknown",
    };
}
