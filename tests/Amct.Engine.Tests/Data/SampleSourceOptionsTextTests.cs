using Amct.Engine.Data;
using Amct.Engine.Data.Images;
using Amct.Engine.Onnx;

namespace Amct.Engine.Tests.Data;

/// <summary>The text syntax of data options, shared by the command line and project settings.</summary>
[TestClass]
public sealed class SampleSourceOptionsTextTests
{
    [TestMethod]
    public void Every_setting_parses()
    {
        var options = SampleSourceOptionsText.Parse(preset: " imagenet-torch ", resize: "320x240", interpolation: "BICUBIC",
            crop: "224", color: "bgr", scale: "1/127.5", mean: "[104, 117.5, 123]", std: "2", layout: "nhwc",
            inputShapes: "a:1,3,224,224; b:1,10", dataTypes: "a:float16;b:int64");
        Assert.AreEqual("imagenet-torch", options.Preset);
        Assert.AreEqual(ImageResize.Exact(new ImageSize(320, 240)), options.Image.Resize);
        Assert.AreEqual(Interpolation.Bicubic, options.Image.Interpolation);
        Assert.AreEqual(new ImageSize(224, 224), options.Image.Crop);
        Assert.AreEqual(ColorOrder.Bgr, options.Image.Color);
        Assert.AreEqual(1 / 127.5, options.Image.Scale);
        CollectionAssert.AreEqual(new[] { 104, 117.5, 123 }, options.Image.Mean!.ToArray());
        CollectionAssert.AreEqual(new[] { 2.0 }, options.Image.Std!.ToArray());
        Assert.AreEqual(TensorLayout.Nhwc, options.Image.Layout);
        CollectionAssert.AreEqual(new long[] { 1, 10 }, options.InputShapes["b"].ToArray());
        Assert.AreEqual(DataTypes.Float16, options.InputTypes["a"]);
        Assert.AreEqual(DataTypes.Int64, options.InputTypes["b"]);
        Assert.AreEqual(ImageResize.ShorterSide(256), SampleSourceOptionsText.ParseResize("256", "resize"));
        Assert.AreEqual(ImageResize.None, SampleSourceOptionsText.ParseResize("None", "resize"));
        Assert.AreEqual(new ImageSize(224, 200), SampleSourceOptionsText.ParseSize("224X200", "crop"));
        Assert.AreEqual(ColorOrder.Grayscale, SampleSourceOptionsText.ParseColor("gray", "color"));
        Assert.AreEqual(0.5, SampleSourceOptionsText.ParseScale("0.5", "scale"));
    }

    [TestMethod]
    public void Nothing_given_is_the_default()
    {
        var options = SampleSourceOptionsText.Parse(resize: " ", mean: "");
        Assert.IsNull(options.Preset);
        Assert.AreEqual(new ImagePreprocessing(), options.Image);
        Assert.IsEmpty(options.InputShapes);
        Assert.IsEmpty(options.InputTypes);
    }

    [TestMethod]
    [DataRow("resize", "256x", "a shorter side in pixels")]
    [DataRow("resize", "-3", "a shorter side in pixels")]
    [DataRow("resize", "99999", "between 1 and 16384")]
    [DataRow("crop", "1x2x3", "a size in pixels")]
    [DataRow("color", "rgba", "one of rgb, bgr, gray, grayscale")]
    [DataRow("layout", "chw", "one of nchw, nhwc")]
    [DataRow("interpolation", "lanczos", "one of nearest, bilinear, bicubic")]
    [DataRow("scale", "1/0", "a finite number other than 0")]
    [DataRow("scale", "abc", "a number or a fraction")]
    [DataRow("mean", "1,,2", "comma-separated numbers")]
    public void Bad_values_are_AMCT3030_naming_the_setting_as_written(string setting, string value, string expected)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => SampleSourceOptionsText.Parse(
            resize: setting == "resize" ? value : null,
            crop: setting == "crop" ? value : null,
            color: setting == "color" ? value : null,
            layout: setting == "layout" ? value : null,
            interpolation: setting == "interpolation" ? value : null,
            scale: setting == "scale" ? value : null,
            mean: setting == "mean" ? value : null,
            settingName: key => "--" + key));
        Assert.AreEqual(ErrorCodes.PreprocessSettingInvalid, error.Code);
        Assert.AreEqual("--" + setting, error.Target);
        StringAssert.Contains(error.Message, $"'{value}' is not valid here");
        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void An_unknown_preset_fails_as_it_is_parsed()
    {
        var error = Assert.ThrowsExactly<AmctException>(() => SampleSourceOptionsText.Parse(preset: "caffe", settingName: key => "--" + key));
        Assert.AreEqual(ErrorCodes.PreprocessPresetUnknown, error.Code);
        Assert.AreEqual("--preset", error.Target);
    }
}
