using Amct.Engine.Data;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>Damaged and unsupported image files: each a coded error naming the file.</summary>
[TestClass]
public sealed class ImageFileErrorTests
{
    private static byte[] JpegBytes(TempFolder temp)
    {
        var random = new Random(7);
        var path = ImageWriter.Jpeg(temp.File("source.jpg"), 64, 48, (_, _) => ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    [TestMethod]
    public void A_truncated_jpeg_is_AMCT3020_when_it_is_read()
    {
        using var temp = new TempFolder();
        var bytes = JpegBytes(temp);
        var path = temp.File("cut.jpg");
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        // The header is intact, so the source opens; decoding finds the missing data.
        using var source = SampleSources.Open(path, [ImageData.Nchw(3, 48, 64)]);
        DataAssert.Throws(() => _ = source.Read().ToList(), ErrorCodes.ImageCorrupt, path,
            "the image is damaged: the JPEG data ends early (the file is truncated)");
    }

    [TestMethod]
    public void A_jpeg_with_garbage_in_its_header_is_AMCT3020()
    {
        using var temp = new TempFolder();
        var bytes = JpegBytes(temp);
        new Random(3).NextBytes(bytes.AsSpan(4, 400)); // the tables and frame header after the start marker
        var path = temp.File("garbage.jpg");
        File.WriteAllBytes(path, bytes);
        DataAssert.Throws(() => SampleSources.Open(path, [ImageData.Nchw(3, 48, 64)]), ErrorCodes.ImageCorrupt, path,
            "the image is damaged", "JPEG");
    }

    [TestMethod]
    public void A_jpeg_header_alone_or_an_empty_file_is_AMCT3020()
    {
        using var temp = new TempFolder();
        var head = temp.File("head.jpg");
        File.WriteAllBytes(head, JpegBytes(temp)[..40]);
        DataAssert.Throws(() => SampleSources.Open(head, [ImageData.Nchw(3, 48, 64)]), ErrorCodes.ImageCorrupt, head,
            "the image is damaged");
        var empty = temp.File("empty.png");
        File.WriteAllBytes(empty, []);
        DataAssert.Throws(() => SampleSources.Open(empty, [ImageData.Nchw(3, 48, 64)]), ErrorCodes.ImageCorrupt, empty,
            "the file is empty");
    }

    [TestMethod]
    public void A_truncated_png_is_AMCT3020()
    {
        using var temp = new TempFolder();
        var random = new Random(5);
        var path = ImageWriter.Png(temp.File("noise.png"), 32, 32, (_, _) => ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        DataAssert.Throws(() => ImageData.ReadAll(path, ImageData.Nchw(3, 32, 32)), ErrorCodes.ImageCorrupt, path,
            "the image is damaged", "PNG");
    }

    [TestMethod]
    public void Text_renamed_to_jpg_is_AMCT3021()
    {
        using var temp = new TempFolder();
        var path = temp.File("notes.jpg");
        File.WriteAllText(path, "these are not pixels");
        DataAssert.Throws(() => SampleSources.Open(path, [ImageData.Nchw(3, 8, 8)]), ErrorCodes.ImageFormatUnsupported, path,
            "is not an image in a format amct reads (it starts with bytes 7468657365206172)", "JPEG, PNG or BMP");
    }

    [TestMethod]
    public void A_gif_whatever_its_name_is_AMCT3021()
    {
        using var temp = new TempFolder();
        // A 1x1 GIF89a.
        var gif = Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7");
        var renamed = temp.File("photo.jpg");
        File.WriteAllBytes(renamed, gif);
        DataAssert.Throws(() => SampleSources.Open(renamed, [ImageData.Nchw(3, 8, 8)]), ErrorCodes.ImageFormatUnsupported, renamed,
            "the file holds a GIF image; image data must be JPEG, PNG or BMP files");
        var named = temp.File("anim.gif");
        File.WriteAllBytes(named, gif);
        DataAssert.Throws(() => SampleSources.Open(named, [ImageData.Nchw(3, 8, 8)]), ErrorCodes.ImageFormatUnsupported, named, "GIF");
        // Inside a folder of images it is an error too, not silently left out.
        File.Delete(renamed);
        ImageWriter.Png(temp.File("ok.png"), 8, 8, ImageWriter.Solid(1, 1, 1));
        DataAssert.Throws(() => SampleSources.Open(temp.Path, [ImageData.Nchw(3, 8, 8)]), ErrorCodes.ImageFormatUnsupported, named, "GIF");
    }

    [TestMethod]
    public void A_header_announcing_a_huge_image_is_AMCT3023_before_anything_is_allocated()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Bmp(temp.File("huge.bmp"), 2, 2, ImageWriter.Solid(1, 2, 3));
        var bytes = File.ReadAllBytes(path);
        BitConverter.GetBytes(30000).CopyTo(bytes, 18); // width
        BitConverter.GetBytes(30000).CopyTo(bytes, 22); // height
        File.WriteAllBytes(path, bytes);
        // The 70-byte file claims 30000x30000 pixels: refused from the header, nothing decoded or allocated.
        DataAssert.Throws(() => SampleSources.Open(path, [ImageData.Nchw(3, 8, 8)]), ErrorCodes.ImageTooLarge, path,
            "the image is 30000x30000 (900000000 pixels), more than the 100000000 amct decodes");
    }

    [TestMethod]
    public void Bmp_files_are_read()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Bmp(temp.File("p.bmp"), 3, 2, (x, y) => ((byte)(x * 10), (byte)(y * 10), 99));
        var (values, dims) = ImageData.ReadOne(path, ImageData.Nchw(3, 2, 3));
        CollectionAssert.AreEqual(new long[] { 3, 2, 3 }, dims);
        CollectionAssert.AreEqual(new float[] { 0, 10, 20, 0, 10, 20, 0, 0, 0, 10, 10, 10, 99, 99, 99, 99, 99, 99 }, values);
    }

    [TestMethod]
    public void A_truncated_bmp_is_AMCT3020_not_black_filler()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Bmp(temp.File("cut.bmp"), 16, 16, ImageWriter.Solid(200, 100, 50));
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 20)]);
        // The decoder itself would read zeros for the missing rows; the guard on its input stream refuses instead.
        using var source = SampleSources.Open(path, [ImageData.Nchw(3, 16, 16)]);
        DataAssert.Throws(() => _ = source.Read().ToList(), ErrorCodes.ImageCorrupt, path,
            "the image is damaged: the BMP data ends early (the file is truncated)");
    }

    [TestMethod]
    public void Damaged_images_decode_or_fail_with_AMCT3020_and_never_hang()
    {
        // Random bytes over the headers, scattered byte flips and cuts at random lengths, for each format. Some damaged
        // JPEG headers once made the decoder loop forever reading past the end of the file.
        using var temp = new TempFolder();
        var random = new Random(11);
        ImageWriter.Pixels noise = (_, _) => ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        var sources = new[]
        {
            File.ReadAllBytes(ImageWriter.Jpeg(temp.File("s.jpg"), 32, 24, noise)),
            File.ReadAllBytes(ImageWriter.Png(temp.File("s.png"), 32, 24, noise)),
            File.ReadAllBytes(ImageWriter.Bmp(temp.File("s.bmp"), 32, 24, noise)),
        };
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 180; i++)
        {
            var bytes = Damaged(sources[i % 3], i / 3 % 3, new Random(i));
            var path = temp.File($"damaged{i}{new[] { ".jpg", ".png", ".bmp" }[i % 3]}");
            File.WriteAllBytes(path, bytes);
            var read = Task.Run(() =>
            {
                try
                {
                    using var source = SampleSources.Open(path, [ImageData.Nchw(3, 24, 32)]);
                    _ = source.Read().ToList();
                    return "decoded";
                }
                catch (AmctException e)
                {
                    return e.Code;
                }
            });
            Assert.IsTrue(read.Wait(TimeSpan.FromMinutes(1)), $"reading {path} did not finish");
            Assert.IsTrue(read.Result is "decoded" or ErrorCodes.ImageCorrupt or ErrorCodes.ImageFormatUnsupported or ErrorCodes.ImageTooLarge or ErrorCodes.ImageTooSmall,
                $"{path}: {read.Result}");
            outcomes[read.Result] = outcomes.GetValueOrDefault(read.Result) + 1;
        }
        // Not vacuous: most damaged files are refused as damaged.
        Assert.IsGreaterThan(90, outcomes.GetValueOrDefault(ErrorCodes.ImageCorrupt), string.Join(", ", outcomes));
    }

    private static byte[] Damaged(byte[] source, int kind, Random random)
    {
        var bytes = (byte[])source.Clone();
        switch (kind)
        {
            case 0:
                random.NextBytes(bytes.AsSpan(2, Math.Min(120, bytes.Length - 2)));
                return bytes;
            case 1:
                for (var k = 0; k < 8; k++)
                {
                    bytes[random.Next(2, bytes.Length)] = (byte)random.Next(256);
                }
                return bytes;
            default:
                return bytes[..random.Next(1, bytes.Length)];
        }
    }
}
