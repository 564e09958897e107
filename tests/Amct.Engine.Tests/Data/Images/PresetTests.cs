using Amct.Engine.Data;
using Amct.Engine.Data.Images;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>Presets, explicit settings over them, and the defaults the model's input shape gives.</summary>
[TestClass]
public sealed class PresetTests
{
    /// <summary>The preprocessing the image source resolved, as text.</summary>
    private static string Resolved(string path, ModelInput input, SampleSourceOptions options)
    {
        using var source = SampleSources.Open(path, [input], options);
        return ((ImageSampleSource)source).Pipeline.Describe();
    }

    [TestMethod]
    public void The_caffe_preset_is_bgr_minus_the_imagenet_mean_after_resize_256_and_crop_224()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 300, 260, ImageWriter.Solid(255, 0, 128));
        var caffe = new SampleSourceOptions { Preset = "imagenet-caffe" };
        Assert.AreEqual("resize shorter side to 256 (bilinear), center crop 224x224, BGR, scale 1, mean [104,117,123], " +
            "std [1,1,1], NCHW float32", Resolved(path, ImageData.Nchw(3, 224, 224), caffe));
        var (values, _) = ImageData.ReadOne(path, ImageData.Nchw(3, 224, 224), caffe);
        CollectionAssert.AreEqual(new[] { 128f - 104, 0f - 117, 255f - 123 }, new[] { values[0], values[224 * 224], values[2 * 224 * 224] });
    }

    [TestMethod]
    public void The_torch_preset_is_rgb_over_255_normalized_by_the_imagenet_mean_and_std()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 16, 16, ImageWriter.Solid(255, 0, 128));
        var (values, dims) = ImageData.ReadOne(path, ImageData.Nchw(3, 8, 8), new SampleSourceOptions { Preset = "imagenet-torch" });
        CollectionAssert.AreEqual(new long[] { 3, 8, 8 }, dims);
        Assert.AreEqual((1 - 0.485) / 0.229, values[0], 1e-6);
        Assert.AreEqual((0 - 0.456) / 0.224, values[64], 1e-6);
        Assert.AreEqual(((128 / 255.0) - 0.406) / 0.225, values[128], 1e-6);
        // The resize follows the model: an 8x8 input is cropped from a shorter side of 8 / 0.875 = 9.
        StringAssert.StartsWith(Resolved(path, ImageData.Nchw(3, 8, 8), new() { Preset = "imagenet-torch" }),
            "resize shorter side to 9 (bilinear), center crop 8x8, RGB, scale 0.00392157");
    }

    [TestMethod]
    public void The_tf_preset_scales_rgb_to_minus_1_to_1()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 4, 4, ImageWriter.Solid(255, 0, 51));
        var (values, _) = ImageData.ReadOne(path, ImageData.Nhwc(4, 4, 3), new SampleSourceOptions { Preset = "imagenet-tf" });
        CollectionAssert.AreEqual(new[] { 1f, -1f, (float)((51 / 127.5) - 1) }, values[..3]);
    }

    [TestMethod]
    public void Explicit_settings_override_the_preset()
    {
        using var temp = new TempFolder();
        var path = ImageWriter.Png(temp.File("p.png"), 20, 20, ImageWriter.Solid(200, 100, 50));
        var input = ImageData.Nchw(3, 10, 10);
        var options = new SampleSourceOptions
        {
            Preset = "imagenet-caffe",
            Image = new ImagePreprocessing { Color = ColorOrder.Rgb, Resize = ImageResize.Exact(new ImageSize(12, 12)), Interpolation = Interpolation.Nearest },
        };
        // Color, resize and interpolation are ours; the mean (in tensor order, now R,G,B) and std stay the preset's.
        Assert.AreEqual("resize to 12x12 (nearest), center crop 10x10, RGB, scale 1, mean [104,117,123], std [1,1,1], NCHW float32",
            Resolved(path, input, options));
        var (values, _) = ImageData.ReadOne(path, input, options with { Image = options.Image with { Mean = [0] } });
        CollectionAssert.AreEqual(new[] { 200f, 100f, 50f }, new[] { values[0], values[100], values[200] });
    }

    [TestMethod]
    public void Without_settings_images_are_resized_to_the_models_size_in_rgb()
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, 16, 12);
        Assert.AreEqual("resize to 8x6 (bilinear), RGB, scale 1, mean [0,0,0], std [1,1,1], NCHW float32",
            Resolved(path, ImageData.Nchw(3, 6, 8), SampleSourceOptions.Default));
        // A crop alone: no resize, cropped to the crop.
        Assert.AreEqual("center crop 8x6, RGB, scale 1, mean [0,0,0], std [1,1,1], NCHW float32",
            Resolved(path, ImageData.Nchw(3, 6, 8), ImageData.Options(new() { Crop = new ImageSize(8, 6) })));
        // A shorter-side resize alone: cropped to the model's size.
        Assert.AreEqual("resize shorter side to 7 (bilinear), center crop 8x6, RGB, scale 1, mean [0,0,0], std [1,1,1], NCHW float32",
            Resolved(path, ImageData.Nchw(3, 6, 8), ImageData.Options(new() { Resize = ImageResize.ShorterSide(7) })));
    }

    [TestMethod]
    public void A_model_that_fixes_no_image_size_needs_a_size_setting()
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, 16, 12);
        var dynamic = new ModelInput("image", DataTypes.Float, [null, 3, null, null]);
        DataAssert.Throws(() => SampleSources.Open(path, [dynamic]), ErrorCodes.ImageSizeUnknown, path,
            "does not fix its image size", "--resize 224x224");
        DataAssert.Throws(() => SampleSources.Open(path, [dynamic], new SampleSourceOptions { Preset = "imagenet-torch" }),
            ErrorCodes.ImageSizeUnknown, path, "cannot choose the crop");
        // With a crop the preset's resize follows it.
        var withCrop = new SampleSourceOptions { Preset = "imagenet-torch", Image = new() { Crop = new ImageSize(8, 8) } };
        StringAssert.StartsWith(Resolved(path, dynamic, withCrop), "resize shorter side to 9 (bilinear), center crop 8x8");
    }

    [TestMethod]
    public void An_unknown_preset_is_AMCT3029_listing_the_presets()
    {
        using var temp = new TempFolder();
        var path = ImageData.Coordinates(temp, 8, 8);
        var error = Assert.ThrowsExactly<AmctException>(() =>
            SampleSources.Open(path, [ImageData.Nchw(3, 8, 8)], new SampleSourceOptions { Preset = "imagenet-keras" }));
        Assert.AreEqual(ErrorCodes.PreprocessPresetUnknown, error.Code);
        Assert.AreEqual("preset", error.Target);
        foreach (var name in new[] { "imagenet-caffe", "imagenet-torch", "imagenet-tf" })
        {
            StringAssert.Contains(error.Message, name);
        }
        CollectionAssert.AreEqual(new[] { "imagenet-caffe", "imagenet-tf", "imagenet-torch" }, ImagePresets.Names.ToArray());
    }
}
