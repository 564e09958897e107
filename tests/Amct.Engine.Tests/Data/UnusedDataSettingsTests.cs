using Amct.Engine.Data;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data;

/// <summary>Image and raw settings given for data that ignores them warn, named as the user wrote them.</summary>
[TestClass]
public sealed class UnusedDataSettingsTests
{
    [TestMethod]
    public void Image_settings_on_arrays_are_named_as_given()
    {
        var options = SampleSourceOptionsText.Parse(preset: "imagenet-caffe", resize: "28x28", mean: "1,2,3",
            settingName: key => "--" + key);
        var warning = UnusedDataSettings.Describe(TestData.DigitsCalibration, options);
        Assert.IsNotNull(warning);
        StringAssert.StartsWith(warning, "--preset, --resize, --mean have no effect on this data (read as .npy");
    }

    [TestMethod]
    public void Raw_declarations_on_arrays_warn_and_no_setting_says_nothing()
    {
        var raw = SampleSourceOptionsText.Parse(inputShapes: "input:1,1,28,28", settingName: key => key == "input-shape" ? "InputShape" : key);
        StringAssert.StartsWith(UnusedDataSettings.Describe(TestData.DigitsCalibration, raw), "InputShape has no effect");
        Assert.IsNull(UnusedDataSettings.Describe(TestData.DigitsCalibration, SampleSourceOptions.Default));
    }

    [TestMethod]
    public void Image_settings_on_images_say_nothing()
    {
        using var temp = new TempFolder();
        ImageWriter.Png(temp.File("a.png"), 8, 8, ImageWriter.Solid(1, 2, 3));
        var options = SampleSourceOptionsText.Parse(resize: "28x28");
        Assert.IsNull(UnusedDataSettings.Describe(temp.Path, options));
    }
}
