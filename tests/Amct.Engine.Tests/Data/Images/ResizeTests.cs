using Amct.Engine.Data;
using Amct.Engine.Data.Images;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>
/// Resizing: the sizes each kind makes, and the interpolated values, worked out by hand from Pillow's definition
/// (separable filters, widened by the shrink factor, edge weights renormalized, 8-bit results).
/// </summary>
[TestClass]
public sealed class ResizeTests
{
    /// <summary>Any height and width: the resize alone decides the size.</summary>
    private static readonly ModelInput Dynamic = new("image", DataTypes.Float, [1, 3, null, null]);

    [TestMethod]
    [DataRow(40, 30, 15, 15, 20)] // landscape: height 30 -> 15, width 40 * 15 / 30
    [DataRow(30, 40, 15, 20, 15)] // portrait
    [DataRow(341, 256, 224, 224, 298)] // 341 * 224 / 256 = 298.375, truncated as torchvision does
    [DataRow(256, 256, 100, 100, 100)]
    public void Shorter_side_resize_keeps_the_aspect_ratio(int width, int height, int shorter, int expectedHeight, int expectedWidth)
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, width, height);
        var options = ImageData.Options(new() { Resize = ImageResize.ShorterSide(shorter) });
        CollectionAssert.AreEqual(new long[] { 3, expectedHeight, expectedWidth }, ImageData.ReadOne(path, Dynamic, options).Dims);
    }

    [TestMethod]
    public void Exact_resize_ignores_the_aspect_ratio()
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, 40, 30);
        var options = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(8, 20)) });
        CollectionAssert.AreEqual(new long[] { 3, 20, 8 }, ImageData.ReadOne(path, Dynamic, options).Dims);
    }

    [TestMethod]
    public void Same_size_leaves_the_pixels_untouched()
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, 9, 7);
        var options = ImageData.Options(new() { Resize = ImageResize.ShorterSide(7), Interpolation = Interpolation.Bicubic });
        var (values, _) = ImageData.ReadOne(path, Dynamic, options);
        Assert.AreEqual(8f, values[8]); // red of (8, 0) is x
        Assert.AreEqual(6f, values[(9 * 7) + (6 * 9)]); // green of (0, 6) is y
    }

    [TestMethod]
    public void Bilinear_halving_weighs_1_3_3_1_and_renormalizes_at_the_edges()
    {
        // Shrinking by 2 widens the triangle to 4 source pixels: weights 1/8, 3/8, 3/8, 1/8; at the edges only 3
        // fall inside the image and are renormalized to 3/7, 3/7, 1/7.
        byte[] row = [0, 0, 255, 255, 0, 0, 255, 255];
        float[] expected = [36, 191, 64, 219]; // 255/7 = 36.4, 255*6/8 = 191.25, 255*2/8 = 63.75, 255*6/7 = 218.6
        using var temp = new TempFolder();
        var horizontal = ImageData.Row(temp, row);
        var wide = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(4, 1)), Interpolation = Interpolation.Bilinear });
        CollectionAssert.AreEqual(expected, ImageData.ReadOne(horizontal, Dynamic, wide).Values[..4]);
        // The same along the height (the second pass).
        var vertical = ImageWriter.Png(temp.File("column.png"), 1, row.Length, (_, y) => (row[y], row[y], row[y]));
        var tall = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(1, 4)) });
        CollectionAssert.AreEqual(expected, ImageData.ReadOne(vertical, Dynamic, tall).Values[..4]);
    }

    [TestMethod]
    public void Bilinear_doubling_interpolates_between_pixel_centers()
    {
        using var temp = new TempFolder();
        var path = ImageData.Row(temp, [0, 100]);
        var options = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(4, 1)) });
        CollectionAssert.AreEqual(new float[] { 0, 25, 75, 100 }, ImageData.ReadOne(path, Dynamic, options).Values[..4]);
    }

    [TestMethod]
    public void Bicubic_uses_keys_cubic_and_keeps_flat_areas_flat()
    {
        using var temp = new TempFolder();
        // Output pixel 1 of 4 sits at 0.75: weights cubic(0.25) = 0.8672 and cubic(0.75) = 0.2266, renormalized
        // (the taps outside the image are dropped): 100 * 0.2266 / 1.0938 = 20.7. Pixel 3 sits at 1.75: weights
        // cubic(1.25) = -0.0703 and cubic(0.25): 100 * 0.8672 / 0.7969 = 108.8, the cubic's overshoot (kept, it is
        // within 8 bits); pixel 0 undershoots to -8.8 and is clamped to 0.
        var step = ImageData.Row(temp, [0, 100]);
        var doubling = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(4, 1)), Interpolation = Interpolation.Bicubic });
        CollectionAssert.AreEqual(new float[] { 0, 21, 79, 109 }, ImageData.ReadOne(step, Dynamic, doubling).Values[..4]);

        var flat = ImageWriter.Png(temp.File("flat.png"), 13, 11, ImageWriter.Solid(77, 77, 77));
        var shrink = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(5, 4)), Interpolation = Interpolation.Bicubic });
        Assert.IsTrue(ImageData.ReadOne(flat, Dynamic, shrink).Values.All(v => v == 77));
    }

    [TestMethod]
    public void Bicubic_overshoot_is_clamped_to_8_bits()
    {
        using var temp = new TempFolder();
        var edge = ImageData.Row(temp, [0, 0, 255, 255]);
        var options = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(8, 1)), Interpolation = Interpolation.Bicubic });
        var values = ImageData.ReadOne(edge, Dynamic, options).Values[..8];
        // The cubic rings around the edge (it would go below 0 and above 255); the results stay in 0..255.
        Assert.AreEqual(0f, values[0]);
        Assert.AreEqual(255f, values[7]);
        Assert.IsTrue(values.All(v => v is >= 0 and <= 255));
        Assert.IsTrue(values.Zip(values.Skip(1)).All(pair => pair.First <= pair.Second), string.Join(",", values));
    }

    [TestMethod]
    public void Nearest_takes_the_pixel_under_each_output_center()
    {
        using var temp = new TempFolder();
        var path = ImageData.Row(temp, [10, 20, 30, 40]);
        var halve = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(2, 1)), Interpolation = Interpolation.Nearest });
        CollectionAssert.AreEqual(new float[] { 20, 40 }, ImageData.ReadOne(path, Dynamic, halve).Values[..2]); // centers 1.0, 3.0
        var stretch = ImageData.Options(new() { Resize = ImageResize.Exact(new ImageSize(6, 1)), Interpolation = Interpolation.Nearest });
        // Centers at 0.33, 1.0, 1.67, 2.33, 3.0, 3.67, accumulated in steps of 4/6 as Pillow does: the fifth
        // comes out a hair below 3.0 (2.9999999999999996), so it takes pixel 2 where exact arithmetic would take 3.
        CollectionAssert.AreEqual(new float[] { 10, 20, 20, 30, 30, 40 }, ImageData.ReadOne(path, Dynamic, stretch).Values[..6]);
    }
}
