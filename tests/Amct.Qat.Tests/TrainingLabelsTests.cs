using Amct.Engine;
using Amct.Engine.Evaluation;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Retraining;
using Amct.Qat.Training;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>
/// TrainingLabels: Distill's loss plus the labels' cross-entropy, on the digits CNN at 2-bit weights, where
/// post-training quantization loses most and distillation alone cannot win it all back. The 497 labelled digits are
/// split: the first <see cref="Training"/> to train on, the rest held out to evaluate on.
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class TrainingLabelsTests
{
    private const int Training = 297;
    private const int Digits = 497;
    private const int Pixels = 64;

    [TestMethod]
    public void Labels_change_what_Distill_learns_and_their_cross_entropy_falls_with_the_distillation_loss()
    {
        using var temp = new TempFolder();
        var split = Split(temp);
        QuantizeRequest Request(string output, string? labels, string evaluation, string? evaluationLabels) => new()
        {
            ModelPath = TestData.DigitsModel,
            CalibrationData = TestData.DigitsCalibration,
            TrainingData = split.TrainX,
            TrainingLabels = labels,
            EvaluationData = evaluation,
            EvaluationLabels = evaluationLabels,
            OutputDirectory = temp.File(output),
            MeasureLatency = false,
            WeightBits = 2,
            Retrain = RetrainMode.Distill,
            RetrainEpochs = 10,
            Gate = new GateThresholds(),
            AutoFallback = false,
            QualityFloor = false, // W2 PTQ starts below the floor's cosine
        };

        var without = QuantizationJob.Run(Request("without", null, split.HeldOutX, split.HeldOutY), new CollectingLog(), new QatRetrainer());
        var with = QuantizationJob.Run(Request("with", split.TrainY, split.HeldOutX, split.HeldOutY), new CollectingLog(), new QatRetrainer());

        var (a, b) = (without.Report.Evaluation!, with.Report.Evaluation!);
        Console.WriteLine($"digits W2A8, Distill on {Training} samples, {Digits - Training} held out: top-1 {a.QuantizedAccuracy?.Top1:P2} " +
            $"without labels, {b.QuantizedAccuracy?.Top1:P2} with (float {a.FloatAccuracy?.Top1:P2}); agreement " +
            $"{a.Outputs[0].Top1Agreement:P2} → {b.Outputs[0].Top1Agreement:P2}; loss {Curve(without)} → {Curve(with)}");
        CollectionAssert.AreNotEqual(File.ReadAllBytes(without.QuantizedModel), File.ReadAllBytes(with.QuantizedModel),
            "the labels' term changes the trained model");
        Assert.AreEqual(split.TrainY, with.Report.Retraining!.TrainingLabels);
        var (plain, labelled) = (without.Report.Retraining!.LossCurve, with.Report.Retraining.LossCurve);
        Assert.IsLessThan(labelled[0], labelled[^1], "distillation plus cross-entropy falls");
        Assert.IsGreaterThan(plain[^1], labelled[^1], "the loss now holds the labels' cross-entropy, more than the KL alone");
        Assert.IsLessThan(labelled[0] - plain[0], labelled[^1] - plain[^1], "the labels' share of the loss falls: the int8 model learns them");
    }

    [TestMethod]
    public void A_label_beyond_the_models_classes_is_AMCT3017_at_the_labels_file()
    {
        using var temp = new TempFolder();
        var labels = temp.File("labels.npy");
        NpyWriter.Write<long>(labels, [200], Enumerable.Range(0, 200).Select(i => i == 150 ? 10L : i % 10).ToArray());

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel,
            CalibrationData = TestData.DigitsCalibration,
            TrainingLabels = labels,
            OutputDirectory = temp.File("out"),
            MeasureLatency = false,
            Retrain = RetrainMode.Distill,
            RetrainEpochs = 1,
        }, new CollectingLog(), new QatRetrainer()));

        Assert.AreEqual((ErrorCodes.LabelsInvalid, labels), (error.Code, error.Target));
        StringAssert.Contains(error.Message, "training sample 150 is 10, but the model's output has 10 classes");
        Assert.IsFalse(File.Exists(Path.Combine(temp.File("out"), "digits-cnn.int8.onnx")), "nothing written");
    }

    [TestMethod]
    public void Labels_for_a_model_without_class_scores_are_AMCT6006_naming_TrainingLabels()
    {
        using var temp = new TempFolder();
        var (model, data, labels) = (temp.File("score.onnx"), temp.File("x.npy"), temp.File("y.npy"));
        ModelBuilder.Write(ModelBuilder.Gemm(inputs: 4, outputs: 1), model); // one score per sample
        NpyWriter.Write<float>(data, [32, 4], ModelBuilder.Pattern(32 * 4));
        NpyWriter.Write<long>(labels, [32], new long[32]);

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = model,
            CalibrationData = data,
            TrainingLabels = labels,
            OutputDirectory = temp.File("out"),
            MeasureLatency = false,
            QualityFloor = false,
            Retrain = RetrainMode.Distill,
            RetrainEpochs = 1,
        }, new CollectingLog(), new QatRetrainer()));

        Assert.AreEqual((ErrorCodes.TrainingLabelsNeedClassScores, model), (error.Code, error.Target));
        StringAssert.Contains(error.Message, "TrainingLabels");
        StringAssert.Contains(error.Message, "[N, 1]");
    }

    private static string Curve(QuantizeResult result) =>
        string.Join(" ", result.Report.Retraining!.LossCurve.Select(l => l.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The labelled digits split in two .npy pairs: the first <see cref="Training"/> and the rest.</summary>
    private static (string TrainX, string TrainY, string HeldOutX, string HeldOutY) Split(TempFolder temp)
    {
        var x = NpyTail<float>(QatData.HeldOut, Digits * Pixels);
        var y = NpyTail<long>(QatData.HeldOutLabels, Digits);
        var paths = (temp.File("train_x.npy"), temp.File("train_y.npy"), temp.File("held_x.npy"), temp.File("held_y.npy"));
        NpyWriter.Write<float>(paths.Item1, [Training, 1, 8, 8], x.AsSpan(0, Training * Pixels));
        NpyWriter.Write<long>(paths.Item2, [Training], y.AsSpan(0, Training));
        NpyWriter.Write<float>(paths.Item3, [Digits - Training, 1, 8, 8], x.AsSpan(Training * Pixels));
        NpyWriter.Write<long>(paths.Item4, [Digits - Training], y.AsSpan(Training));
        return paths;
    }

    /// <summary>The last <paramref name="count"/> values of a little-endian .npy file: its data (after any header).</summary>
    private static T[] NpyTail<T>(string path, int count)
        where T : unmanaged
    {
        var bytes = File.ReadAllBytes(path);
        var size = System.Runtime.InteropServices.Marshal.SizeOf<T>();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes.AsSpan(bytes.Length - (count * size))).ToArray();
    }
}
