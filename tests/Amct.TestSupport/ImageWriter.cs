using System.Buffers.Binary;
using SkiaSharp;

namespace Amct.TestSupport;

/// <summary>
/// Writes small images for tests, so tests make the pictures they read instead of checking binary files in: PNG and
/// JPEG through SkiaSharp's encoders, BMP written byte by byte (24-bit, bottom-up rows padded to 4 bytes).
/// </summary>
public static class ImageWriter
{
    /// <summary>An image's pixels as (red, green, blue) at (x, y).</summary>
    public delegate (byte R, byte G, byte B) Pixels(int x, int y);

    public static string Png(string path, int width, int height, Pixels pixels)
    {
        File.WriteAllBytes(path, Encode(width, height, pixels, SKEncodedImageFormat.Png, 100));
        return path;
    }

    public static string Jpeg(string path, int width, int height, Pixels pixels, int quality = 95)
    {
        File.WriteAllBytes(path, Encode(width, height, pixels, SKEncodedImageFormat.Jpeg, quality));
        return path;
    }

    public static string Bmp(string path, int width, int height, Pixels pixels)
    {
        var rowLength = ((width * 3) + 3) / 4 * 4;
        var bytes = new byte[54 + (rowLength * height)];
        "BM"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54); // pixel data offset
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40); // BITMAPINFOHEADER
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1); // planes
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24); // bits per pixel
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), rowLength * height);
        for (var y = 0; y < height; y++)
        {
            var row = 54 + ((height - 1 - y) * rowLength);
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixels(x, y);
                bytes[row + (x * 3)] = b;
                bytes[row + (x * 3) + 1] = g;
                bytes[row + (x * 3) + 2] = r;
            }
        }
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>One color everywhere.</summary>
    public static Pixels Solid(byte r, byte g, byte b) => (_, _) => (r, g, b);

    private static byte[] Encode(int width, int height, Pixels pixels, SKEncodedImageFormat format, int quality)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var (r, g, b) = pixels(x, y);
                var i = ((y * width) + x) * 4;
                (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = (r, g, b, 255);
            }
        }
        using var image = SKImage.FromPixelCopy(info, rgba);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }
}
