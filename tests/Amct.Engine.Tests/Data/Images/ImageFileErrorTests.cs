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
}
