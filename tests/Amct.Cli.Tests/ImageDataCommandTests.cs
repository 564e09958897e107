using Amct.TestSupport;

namespace Amct.Cli.Tests;

/// <summary>Image data with preprocessing options on <c>amct evaluate</c> and <c>amct quantize</c>.</summary>
[TestClass]
public sealed class ImageDataCommandTests
{
    /// <summary>The photos n014* (3 classes) as a pattern, and a labels CSV holding just their rows.</summary>
    private static (string Pattern, string Labels) Subset(TempFolder temp)
    {
        var images = Path.Combine(SharedData.PathOf("imagenet-dev"), "images", "n014*.JPEG");
        var rows = File.ReadAllLines(SharedData.PathOf("imagenet-dev/labels.csv"))
            .Where((line, i) => i == 0 || line.StartsWith("n014", StringComparison.Ordinal));
        var labels = temp.File("labels.csv");
        File.WriteAllLines(labels, rows);
        return (images, labels);
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Evaluate_reads_photos_with_a_preset_and_csv_labels()
    {
        using var temp = new TempFolder();
        var (pattern, labels) = Subset(temp);
        var model = SharedData.PathOf("squeezenet/squeezenet1.1.onnx");
        var (exit, output, error) = RunInProcess("evaluate", model, model, "--data", pattern, "--labels", labels,
            "--preprocess", "imagenet-caffe");
        Assert.AreEqual(0, exit, error);
        StringAssert.StartsWith(output, "3 samples; top-1 ");
        StringAssert.Contains(output, "drop 0.00 points");
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Quantize_calibrates_on_photos_and_evaluates_them()
    {
        using var temp = new TempFolder();
        var (pattern, labels) = Subset(temp);
        var (exit, output, error) = RunInProcess("quantize", SharedData.PathOf("squeezenet/squeezenet1.1.onnx"),
            "--calibration-data", pattern, "--preprocess", "imagenet-caffe", "--method", "minmax", "--output-dir", temp.Path,
            "--evaluation-data", pattern, "--evaluation-labels", labels);
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "image preprocessing: resize shorter side to 256 (bilinear), center crop 224x224, BGR");
        StringAssert.Contains(output, "calibrating samples: 3/3");
        StringAssert.Contains(output, "squeezenet1.1.onnx -> squeezenet1.1.int8.onnx: top-1 ");
        Assert.IsTrue(File.Exists(temp.File("squeezenet1.1.int8.onnx")));
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Bad_preprocessing_options_are_coded_errors_naming_the_option()
    {
        var model = SharedData.PathOf("squeezenet/squeezenet1.1.onnx");
        var photos = SharedData.PathOf("imagenet-dev/images");
        var (exit, _, error) = RunInProcess("evaluate", model, model, "--data", photos, "--preprocess", "caffe");
        Assert.AreEqual(1, exit);
        StringAssert.StartsWith(error, "--preprocess: error AMCT3029: there is no preprocessing preset 'caffe'");
        (exit, _, error) = RunInProcess("evaluate", model, model, "--data", photos, "--mean", "104;117");
        Assert.AreEqual(1, exit);
        StringAssert.StartsWith(error, "--mean: error AMCT3030: '104;117' is not valid here");
        (exit, _, error) = RunInProcess("evaluate", model, model, "--data", photos, "--crop", "300");
        Assert.AreEqual(1, exit);
        StringAssert.StartsWith(error, $"{photos}: error AMCT3025: the preprocessing makes 300x300 images");
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void The_real_process_reads_raw_bin_data_with_declared_shapes()
    {
        using var temp = new TempFolder();
        // The SqueezeNet test input (raw BGR 0..255) as AMCT-style .bin files, mean subtracted by hand.
        var model = SharedData.PathOf("squeezenet/squeezenet1.1.onnx");
        var reference = Amct.Engine.Onnx.TensorData.ToArray<float>(Amct.Engine.Onnx.TensorProto.Parser.ParseFrom(
            File.ReadAllBytes(SharedData.PathOf("squeezenet/test_data_set_0/input_0.pb"))));
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(reference.AsSpan()).ToArray();
        Directory.CreateDirectory(temp.File("bins"));
        File.WriteAllBytes(temp.File("bins/0.bin"), bytes);
        File.WriteAllBytes(temp.File("bins/1.bin"), bytes);
        var result = AmctProcess.Run("evaluate", model, model, "--data", temp.File("bins"),
            "--input-shape", "data_0:1,3,224,224", "--data-type", "data_0:float32");
        Assert.AreEqual(0, result.ExitCode, result.Error);
        StringAssert.StartsWith(result.Output, "2 samples");
        result = AmctProcess.Run("evaluate", model, model, "--data", temp.File("bins"), "--input-shape", "data_0:1,3,224,224");
        Assert.AreEqual(1, result.ExitCode);
        StringAssert.Contains(result.Error, "error AMCT3033:");
    }

    private static (int Exit, string Output, string Error) RunInProcess(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = Program.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
