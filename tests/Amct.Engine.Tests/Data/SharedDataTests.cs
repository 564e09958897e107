using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.Data;

/// <summary>The real models and data in ../shared/data, read and fed to ONNX Runtime as a calibration run would.</summary>
[TestClass]
public sealed class SharedDataTests
{
    [TestMethod]
    public void Digits_calibration_data_is_200_samples_of_1x8x8()
    {
        var inputs = ModelInput.Of(ModelLoader.Load(TestData.DigitsModel));
        Assert.AreEqual("input", inputs.Single().Name);
        Assert.AreEqual("[?,1,8,8]", inputs.Single().ShapeText);
        using var source = SampleSources.Open(TestData.DigitsCalibration, inputs);
        Assert.AreEqual(200, source.Count);
        var samples = source.Read().ToList();
        Assert.HasCount(200, samples);
        CollectionAssert.AreEqual(new long[] { 1, 8, 8 }, samples[199].Inputs["input"].Dims.ToArray());
        // Pixels are scaled to [0, 1] (pixel / 16).
        var pixels = samples.SelectMany(s => TensorData.ToArray<float>(s.Inputs["input"])).ToList();
        Assert.IsTrue(pixels.All(p => p is >= 0 and <= 1));
        Assert.IsTrue(pixels.Any(p => p > 0.5f));
    }

    [TestMethod]
    public void Digits_test_batches_fed_to_onnx_runtime_reach_the_models_accuracy()
    {
        var modelPath = TestData.DigitsModel;
        var inputs = ModelInput.Of(ModelLoader.Load(modelPath));
        using var source = SampleSources.Open(TestData.PathOf("digits-cnn/test_x.npy"), inputs);
        var labels = Labels.Read(TestData.PathOf("digits-cnn/test_y.npy"), source.Count);
        var batchSize = SampleBatches.ChooseBatchSize(inputs);
        Assert.AreEqual(16, batchSize);
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var session = new InferenceSession(modelPath, options);
        var outputName = session.OutputNames[0];
        long correct = 0, seen = 0;
        foreach (var batch in SampleBatches.Read(source, inputs, batchSize))
        {
            using var value = OrtTensors.ToOrtValue(batch.Inputs["input"]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, ["input"], [value], [outputName]);
            var scores = TensorData.ToArray<float>(OrtTensors.ToTensorProto(outputs[0], outputName));
            var classes = scores.Length / batch.Count;
            for (var i = 0; i < batch.Count; i++)
            {
                var predicted = ArgMax(scores.AsSpan(i * classes, classes));
                correct += predicted == labels[batch.FirstIndex + i] ? 1 : 0;
            }
            seen += batch.Count;
        }
        Assert.AreEqual(497, seen);
        // The README gives 99.4 % fp32 accuracy; misaligned samples, labels or rows would give about 10 %.
        Assert.IsGreaterThan(0.98, (double)correct / seen);
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Squeezenet_fixed_batch_of_1_feeds_onnx_runtime()
    {
        var modelPath = SharedData.PathOf("squeezenet/squeezenet1.1.onnx");
        var inputs = ModelInput.Of(ModelLoader.Load(modelPath));
        using var source = SampleSources.Open(SharedData.PathOf("squeezenet/test_data_set_0"), inputs);
        var batch = SampleBatches.Read(source, inputs, SampleBatches.ChooseBatchSize(inputs)).Single();
        CollectionAssert.AreEqual(new long[] { 1, 3, 224, 224 }, batch.Inputs["data_0"].Dims.ToArray());
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var session = new InferenceSession(modelPath, options);
        using var value = OrtTensors.ToOrtValue(batch.Inputs["data_0"]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["data_0"], [value], [session.OutputNames[0]]);
        var actual = TensorData.ToArray<float>(OrtTensors.ToTensorProto(outputs[0], "out"));
        var expectedTensor = TensorProto.Parser.ParseFrom(File.ReadAllBytes(SharedData.PathOf("squeezenet/test_data_set_0/output_0.pb")));
        var expected = TensorData.ToArray<float>(expectedTensor);
        Assert.HasCount(expected.Length, actual);
        Assert.AreEqual(Array.IndexOf(expected, expected.Max()), Array.IndexOf(actual, actual.Max()));
    }

    private static int ArgMax(ReadOnlySpan<float> scores)
    {
        var best = 0;
        for (var i = 1; i < scores.Length; i++)
        {
            best = scores[i] > scores[best] ? i : best;
        }
        return best;
    }
}
