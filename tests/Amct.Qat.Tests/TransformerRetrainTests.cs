using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;
using Amct.Engine.Retraining;
using Amct.Qat.Training;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>
/// Distillation end to end on a transformer block built in code (<see cref="Transformers.EncoderBlock"/>): calibrate
/// and retrain on 256 token sequences, evaluate on 64 others with ONNX Runtime, at 4-bit weights so that post-training
/// quantization visibly moves the outputs. Measured here: distillation does not beat post-training quantization on
/// this block (cosine 0.9921 → 0.9890, top-1 agreement 96.88 % → 95.31 %, one sequence of 64): the KL loss on its four
/// class scores ignores a shift common to all four, which the cosine counts. The test holds what must stay true:
/// every operator trains (the loss is finite and the model builds), and the result stays close to the float model.
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class TransformerRetrainTests
{
    private const int Training = 256;
    private const int Samples = 64;

    [TestMethod]
    public void Distill_retrains_a_transformer_block_end_to_end()
    {
        using var temp = new TempFolder();
        var model = temp.File("block.onnx");
        ModelBuilder.Write(Transformers.EncoderBlock(), model);
        var values = Transformers.Samples(Training + Samples);
        var (calibration, evaluation) = (temp.File("calib.npy"), temp.File("eval.npy"));
        NpyWriter.Write<float>(calibration, [Training, 8, 16], values.AsSpan(0, Training * 8 * 16));
        NpyWriter.Write<float>(evaluation, [Samples, 8, 16], values.AsSpan(Training * 8 * 16));
        QuantizeRequest Request(string output, RetrainMode retrain) => new()
        {
            ModelPath = model,
            CalibrationData = calibration,
            EvaluationData = evaluation,
            OutputDirectory = temp.File(output),
            MeasureLatency = false,
            QualityFloor = false, // a tiny synthetic model
            WeightBits = 4,
            Retrain = retrain,
            RetrainEpochs = 5,
            TrainingSampleCount = Training,
            Gate = new GateThresholds(),
            AutoFallback = false,
        };

        var ptq = QuantizationJob.Run(Request("ptq", RetrainMode.None), new CollectingLog(), new QatRetrainer());
        var distill = QuantizationJob.Run(Request("distill", RetrainMode.Distill), new CollectingLog(), new QatRetrainer());

        var (before, after) = (ptq.Report.Evaluation!.Outputs[0], distill.Report.Evaluation!.Outputs[0]);
        Console.WriteLine($"transformer block W4A8 on {Samples} held-out sequences: cosine PTQ {before.CosineMean:0.00000} → " +
            $"Distill {after.CosineMean:0.00000}; top-1 agreement {before.Top1Agreement:P2} → {after.Top1Agreement:P2}; " +
            $"loss per epoch {string.Join(" ", distill.Report.Retraining!.LossCurve.Select(l => l.ToString("0.#####", System.Globalization.CultureInfo.InvariantCulture)))}");
        Assert.HasCount(5, distill.Report.Retraining.LossCurve);
        Assert.IsTrue(distill.Report.Retraining.LossCurve.All(double.IsFinite), "every operator gives gradients");
        Assert.IsGreaterThan(0.98, after.CosineMean);
        Assert.IsGreaterThan(0.9, after.Top1Agreement!.Value);
        CollectionAssert.AreNotEqual(File.ReadAllBytes(ptq.QuantizedModel), File.ReadAllBytes(distill.QuantizedModel), "retraining changed the model");
    }
}
