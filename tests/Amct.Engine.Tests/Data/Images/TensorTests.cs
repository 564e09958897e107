using System.Buffers.Binary;
using Amct.Engine.Data;
using Amct.Engine.Data.Images;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>Channel order, scale/mean/std, layout and element type of the tensor written for an image.</summary>
[TestClass]
public sealed class TensorTests
{
    [TestMethod]
    public void Rgb_bgr_and_grayscale_order_the_channels()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 2, 2, ImageWriter.Solid(10, 20, 30));
        float[] Pixel(ColorOrder color, int channels)
        {
            var (values, _) = ImageData.ReadOne(path, ImageData.Nchw(channels, 2, 2), ImageData.Options(new() { Color = color }));
            return Enumerable.Range(0, channels).Select(c => values[c * 4]).ToArray();
        }
        CollectionAssert.AreEqual(new float[] { 10, 20, 30 }, Pixel(ColorOrder.Rgb, 3));
        CollectionAssert.AreEqual(new float[] { 30, 20, 10 }, Pixel(ColorOrder.Bgr, 3));
        // 0.299*10 + 0.587*20 + 0.114*30 = 18.15 -> 18, as Pillow's convert("L").
        CollectionAssert.AreEqual(new float[] { 18 }, Pixel(ColorOrder.Grayscale, 1));
    }

    [TestMethod]
    public void A_one_channel_input_gets_grayscale_and_gray_pixels_keep_their_value()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("gray.png"), 3, 3, ImageWriter.Solid(200, 200, 200));
        var (values, dims) = ImageData.ReadOne(path, ImageData.Nchw(1, 3, 3));
        CollectionAssert.AreEqual(new long[] { 1, 3, 3 }, dims);
        Assert.IsTrue(values.All(v => v == 200));
    }

    [TestMethod]
    public void A_color_order_with_the_wrong_channel_count_is_AMCT3027()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 2, 2, ImageWriter.Solid(1, 2, 3));
        DataAssert.Throws(() => SampleSources.Open(path, [ImageData.Nchw(3, 2, 2)], ImageData.Options(new() { Color = ColorOrder.Grayscale })),
            ErrorCodes.ImageChannelMismatch, path, "makes 1 channel(s)", "takes 3", "--color rgb or bgr");
        DataAssert.Throws(() => SampleSources.Open(path, [ImageData.Nchw(1, 2, 2)], ImageData.Options(new() { Color = ColorOrder.Bgr })),
            ErrorCodes.ImageChannelMismatch, path, "--color gray");
    }

    [TestMethod]
    public void Scale_then_mean_then_std_per_channel()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 1, 1, ImageWriter.Solid(255, 0, 51));
        var options = ImageData.Options(new() { Scale = 1 / 255.0, Mean = [0.5, 0.25, 0], Std = [0.25, 0.5, 2] });
        var (values, _) = ImageData.ReadOne(path, ImageData.Nchw(3, 1, 1), options);
        // (1 - 0.5)/0.25, (0 - 0.25)/0.5, (0.2 - 0)/2
        CollectionAssert.AreEqual(new[] { 2f, -0.5f, 0.1f }, values);
        // One mean and std value serves every channel.
        var single = ImageData.Options(new() { Mean = [100], Std = [5] });
        CollectionAssert.AreEqual(new[] { 31f, -20f, -9.8f }, ImageData.ReadOne(path, ImageData.Nchw(3, 1, 1), single).Values);
    }

    [TestMethod]
    public void Mean_and_std_of_the_wrong_length_or_a_zero_std_are_AMCT3030()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 1, 1, ImageWriter.Solid(1, 2, 3));
        var input = ImageData.Nchw(3, 1, 1);
        DataAssert.Throws(() => SampleSources.Open(path, [input], ImageData.Options(new() { Mean = [1, 2] })),
            ErrorCodes.PreprocessSettingInvalid, path, "the mean has 2 values but the tensor has 3 channel(s)", "--mean");
        DataAssert.Throws(() => SampleSources.Open(path, [input], ImageData.Options(new() { Std = [1, 0, 1] })),
            ErrorCodes.PreprocessSettingInvalid, path, "std values must not be 0");
        DataAssert.Throws(() => SampleSources.Open(path, [input], ImageData.Options(new() { Scale = 0 })),
            ErrorCodes.PreprocessSettingInvalid, path, "give a finite scale other than 0");
    }

    [TestMethod]
    public void Nchw_holds_planes_and_nhwc_interleaves_channels()
    {
        using var temp = new TempFolder();
        // 2x1 image: pixel 0 = (1,2,3), pixel 1 = (4,5,6).
        var path = ImageWriter.Png(temp.File("p.png"), 2, 1, (x, _) => x == 0 ? ((byte)1, (byte)2, (byte)3) : ((byte)4, (byte)5, (byte)6));
        var nchw = ImageData.ReadOne(path, ImageData.Nchw(3, 1, 2));
        CollectionAssert.AreEqual(new long[] { 3, 1, 2 }, nchw.Dims);
        CollectionAssert.AreEqual(new float[] { 1, 4, 2, 5, 3, 6 }, nchw.Values);
        // [1,H,W,3] is recognized as NHWC without a setting.
        var nhwc = ImageData.ReadOne(path, ImageData.Nhwc(1, 2, 3));
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, nhwc.Dims);
        CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6 }, nhwc.Values);
        // An explicit layout reads a [?,?,?,?] input either way.
        var dynamic = new ModelInput("image", DataTypes.Float, [null, null, null, null]);
        var explicitNhwc = ImageData.Options(new() { Layout = TensorLayout.Nhwc, Resize = ImageResize.None });
        CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, ImageData.ReadOne(path, dynamic, explicitNhwc).Dims);
    }

    [TestMethod]
    public void Pixels_are_written_in_the_inputs_element_type()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 1, 1, ImageWriter.Solid(255, 0, 51));
        var options = ImageData.Options(new() { Scale = 1 / 255.0 });
        Sample Read(int type) => ImageData.ReadAll(path, new ModelInput("image", type, [1, 3, 1, 1]), options).Single();

        var half = Read(DataTypes.Float16).Inputs["image"];
        Assert.AreEqual(DataTypes.Float16, half.DataType);
        Assert.AreEqual((Half)0.2, BinaryPrimitives.ReadHalfLittleEndian(half.RawData.Span[4..]));
        var wide = Read(DataTypes.Double).Inputs["image"];
        Assert.AreEqual(51 / 255.0, BinaryPrimitives.ReadDoubleLittleEndian(wide.RawData.Span[16..]));
        // uint8 inputs take the pixels as they are (no scale given for them here).
        var bytes = ImageData.ReadAll(path, new ModelInput("image", DataTypes.UInt8, [1, 3, 1, 1])).Single().Inputs["image"];
        CollectionAssert.AreEqual(new byte[] { 255, 0, 51 }, bytes.RawData.ToByteArray());
    }

    [TestMethod]
    public void Inputs_that_cannot_take_images_are_coded_errors()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 4, 4, ImageWriter.Solid(1, 2, 3));
        DataAssert.Throws(() => SampleSources.Open(path, [new ModelInput("x", DataTypes.Float, [null, 48])]),
            ErrorCodes.ImageInputNotImage, path, "input 'x' (float32 [?,48]) is not an image input: its rank is 2");
        DataAssert.Throws(() => SampleSources.Open(path, [ImageData.Nchw(5, 4, 4)]),
            ErrorCodes.ImageInputNotImage, path, "neither dim 1 nor dim 3 is a channel axis");
        DataAssert.Throws(() => SampleSources.Open(path, [new ModelInput("x", DataTypes.Int64, [1, 3, 4, 4])]),
            ErrorCodes.ImageElementTypeUnsupported, path, "takes int64");
    }
}
