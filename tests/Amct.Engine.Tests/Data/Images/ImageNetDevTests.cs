using System.Diagnostics;
using Amct.Engine.Data;
using Amct.Engine.Data.Images;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>
/// The real photos of ../shared/data/imagenet-dev through the image source: preprocessed tensors against the
/// reference tensors Pillow made, and SqueezeNet's accuracy on all 300 photos.
/// </summary>
[TestClass]
public sealed class ImageNetDevTests
{
    private static readonly SampleSourceOptions Caffe = new() { Preset = "imagenet-caffe" };

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    [DataRow("n01440764_tench")]
    [DataRow("n01443537_goldfish")]
    [DataRow("n01484850_great_white_shark")]
    public void Caffe_preprocessed_photos_match_the_reference_tensors(string name)
    {
        var input = new ModelInput("data_0", DataTypes.Float, [1, 3, 224, 224]);
        var photo = SharedData.PathOf($"imagenet-dev/images/{name}.JPEG");
        var actual = ImageData.ReadOne(photo, input, Caffe);
        CollectionAssert.AreEqual(new long[] { 3, 224, 224 }, actual.Dims);
        // The reference .npy [1,3,224,224] read as one sample for the same input.
        using var reference = SampleSources.Open(SharedData.PathOf($"imagenet-dev/reference/{name}.caffe.npy"), [input]);
        var expected = TensorData.ToArray<float>(reference.Read().Single().Inputs["data_0"]);
        Assert.HasCount(expected.Length, actual.Values);

        var differences = actual.Values.Zip(expected, (a, e) => Math.Abs(a - e)).ToArray();
        TestContext.WriteLine($"{name}: max abs difference {differences.Max()}, mean {differences.Average():G4}");
        // The reference README: a few units per element (JPEG decoders' inverse DCTs differ), mean well below 1.
        Assert.IsLessThanOrEqualTo(4f, differences.Max());
        Assert.IsLessThan(0.25, differences.Average());
        // Not vacuous: the values are BGR minus the mean, spread over most of [-123, 151].
        Assert.IsLessThan(-90f, actual.Values.Min());
        Assert.IsGreaterThan(100f, actual.Values.Max());
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Squeezenet_reaches_its_fp32_top1_on_the_300_photos_with_the_caffe_preset()
    {
        var modelPath = SharedData.PathOf("squeezenet/squeezenet1.1.onnx");
        var inputs = ModelInput.Of(ModelLoader.Load(modelPath));
        var opening = Stopwatch.StartNew();
        using var source = SampleSources.Open(SharedData.PathOf("imagenet-dev/images"), inputs, Caffe);
        opening.Stop();
        Assert.AreEqual(300, source.Count);
        var labels = Labels.Read(SharedData.PathOf("imagenet-dev/labels.csv"), source);
        Assert.HasCount(300, labels);

        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var session = new InferenceSession(modelPath, options);
        using var runOptions = new RunOptions();
        var output = session.OutputNames[0];
        var batchSize = SampleBatches.ChooseBatchSize(inputs);
        long correct = 0, seen = 0;
        var reading = new Stopwatch();
        var inference = new Stopwatch();
        reading.Start();
        foreach (var batch in SampleBatches.Read(source, inputs, batchSize))
        {
            reading.Stop();
            inference.Start();
            using var value = OrtTensors.ToOrtValue(batch.Inputs["data_0"]);
            using var outputs = session.Run(runOptions, ["data_0"], [value], [output]);
            var scores = outputs[0].GetTensorDataAsSpan<float>();
            var classes = scores.Length / batch.Count;
            for (var i = 0; i < batch.Count; i++)
            {
                var row = scores.Slice(i * classes, classes);
                correct += row.IndexOf(TensorMax(row)) == labels[batch.FirstIndex + i] ? 1 : 0;
            }
            seen += batch.Count;
            inference.Stop();
            reading.Start();
        }
        reading.Stop();

        Assert.AreEqual(300, seen);
        var top1 = (double)correct / seen;
        TestContext.WriteLine($"SqueezeNet 1.1 top-1 on imagenet-dev: {top1:P2} ({correct}/{seen})");
        TestContext.WriteLine($"opening (every header read and checked): {opening.Elapsed.TotalMilliseconds:F0} ms; " +
            $"decode + preprocess: {seen / reading.Elapsed.TotalSeconds:F0} images/s; " +
            $"SqueezeNet inference (batch {batchSize}): {seen / inference.Elapsed.TotalSeconds:F0} images/s");
        // The data README gives about 60 % for fp32 SqueezeNet; wrong color order or mean, or misaligned labels,
        // fall far outside (RGB instead of BGR alone costs several points; shuffled labels give ~0 %).
        Assert.IsGreaterThanOrEqualTo(0.55, top1);
        Assert.IsLessThanOrEqualTo(0.65, top1);
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void The_photos_come_in_file_name_order_named_by_file_name()
    {
        var input = new ModelInput("data_0", DataTypes.Float, [1, 3, 224, 224]);
        using var source = SampleSources.Open(SharedData.PathOf("imagenet-dev/images"), [input], Caffe);
        var names = source.ReadNames().ToList();
        Assert.HasCount(300, names);
        Assert.AreEqual("n01440764_tench.JPEG", names[0]);
        CollectionAssert.AreEqual(names.Order(StringComparer.Ordinal).ToList(), names);
        // The same names through a pattern, relative to the folder the pattern starts in.
        using var pattern = SampleSources.Open(Path.Combine(SharedData.PathOf("imagenet-dev"), "images", "n014*.jpeg"), [input], Caffe);
        CollectionAssert.AreEqual(names.Where(n => n!.StartsWith("n014", StringComparison.Ordinal)).ToList(), pattern.ReadNames().ToList());
    }

    private static float TensorMax(ReadOnlySpan<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }
        return max;
    }
}
