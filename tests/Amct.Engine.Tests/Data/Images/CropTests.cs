using Amct.Engine.Data;
using Amct.Engine.Data.Images;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>Center crop: where the window lands, and images it cannot be cut from.</summary>
[TestClass]
public sealed class CropTests
{
    [TestMethod]
    [DataRow(10, 8, 3, 2)] // left (10-4)/2, top (8-4)/2
    [DataRow(9, 7, 2, 1)] // odd differences round down: 5/2, 3/2
    [DataRow(4, 4, 0, 0)]
    public void The_window_is_centered_rounding_down(int width, int height, int left, int top)
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, width, height);
        var options = ImageData.Options(new() { Crop = new ImageSize(4, 4) });
        var (values, dims) = ImageData.ReadOne(path, ImageData.Nchw(3, 4, 4), options);
        CollectionAssert.AreEqual(new long[] { 3, 4, 4 }, dims);
        // Red holds x, green y: the first row of the red plane is x = left..left+3, the green plane's first column y.
        CollectionAssert.AreEqual(Enumerable.Range(left, 4).Select(x => (float)x).ToArray(), values[..4]);
        CollectionAssert.AreEqual(Enumerable.Range(top, 4).Select(y => (float)y).ToArray(),
            Enumerable.Range(0, 4).Select(row => values[16 + (row * 4)]).ToArray());
    }

    [TestMethod]
    public void A_non_square_crop_takes_width_by_height()
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, 12, 12);
        var options = ImageData.Options(new() { Crop = new ImageSize(6, 2) });
        var (values, dims) = ImageData.ReadOne(path, ImageData.Nchw(3, 2, 6), options);
        CollectionAssert.AreEqual(new long[] { 3, 2, 6 }, dims);
        Assert.AreEqual(3f, values[0]); // left (12-6)/2
        Assert.AreEqual(5f, values[12]); // top (12-2)/2, first green value
    }

    [TestMethod]
    public void The_crop_follows_the_resize()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("wide.png"), 40, 20, ImageWriter.Solid(9, 9, 9));
        var options = ImageData.Options(new() { Resize = ImageResize.ShorterSide(10), Crop = new ImageSize(8, 8) });
        var (values, dims) = ImageData.ReadOne(path, ImageData.Nchw(3, 8, 8), options);
        CollectionAssert.AreEqual(new long[] { 3, 8, 8 }, dims);
        Assert.IsTrue(values.All(v => v == 9));
    }

    [TestMethod]
    public void An_image_smaller_than_the_crop_is_AMCT3022_when_the_data_is_opened()
    {
        using var temp = new TempFolder();
        ImageWriter.Png(temp.File("a.png"), 16, 16, ImageWriter.Solid(1, 2, 3));
        var small = ImageWriter.Png(temp.File("b.png"), 10, 8, ImageWriter.Solid(1, 2, 3));
        var options = ImageData.Options(new() { Crop = new ImageSize(12, 12) });
        // Found from the header, before any image is decoded.
        DataAssert.Throws(() => SampleSources.Open(temp.Path, [ImageData.Nchw(3, 12, 12)], options).Dispose(),
            ErrorCodes.ImageTooSmall, small, "the image is 10x8, smaller than the 12x12 center crop", "--resize 12");
    }

    [TestMethod]
    public void An_image_too_small_after_resizing_says_both_sizes()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("wide.png"), 100, 50, ImageWriter.Solid(1, 2, 3));
        var options = ImageData.Options(new() { Resize = ImageResize.ShorterSide(20), Crop = new ImageSize(30, 30) });
        DataAssert.Throws(() => SampleSources.Open(path, [ImageData.Nchw(3, 30, 30)], options).Dispose(),
            ErrorCodes.ImageTooSmall, path, "the image is 40x20 after resizing (100x50 in the file)", "30x30 center crop");
    }

    [TestMethod]
    public void A_crop_the_model_does_not_take_is_AMCT3025()
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, 10, 10);
        var options = ImageData.Options(new() { Crop = new ImageSize(5, 5) });
        DataAssert.Throws(() => SampleSources.Open(path, [ImageData.Nchw(3, 6, 6)], options).Dispose(),
            ErrorCodes.ImageSizeMismatch, path, "makes 5x5 images", "takes 6x6");
        var dynamic = new ModelInput("image", DataTypes.Float, [1, 3, null, null]);
        CollectionAssert.AreEqual(new long[] { 3, 5, 5 }, ImageData.ReadOne(path, dynamic, options).Dims);
    }
}
