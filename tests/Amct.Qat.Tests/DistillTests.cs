using Amct.Engine.Pipeline;
using Amct.Engine.Retraining;
using Amct.Qat.Training;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>
/// Retrain="Distill" end to end in the engine: calibrate on the digits CNN's 200 calibration samples, retrain on
/// them against the float model, evaluate on the 497 held-out samples with ONNX Runtime, as PTQ is evaluated.
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class DistillTests
{
    /// <summary>Low enough that post-training quantization visibly loses agreement, so retraining has work to do.</summary>
    private const int WeightBits = 3;

    private static QuantizeRequest Request(string output, RetrainMode retrain) => new()
    {
        ModelPath = TestData.DigitsModel,
        CalibrationData = TestData.DigitsCalibration,
        EvaluationData = QatData.HeldOut,
        EvaluationLabels = QatData.HeldOutLabels,
        OutputDirectory = output,
        MeasureLatency = false,
        WeightBits = WeightBits,
        Retrain = retrain,
        RetrainEpochs = 10,
    };

    [TestMethod]
    public void Distill_agrees_with_the_float_model_on_held_out_data_at_least_as_well_as_PTQ_and_reproducibly()
    {
        using var temp = new TempFolder();
        var retrainer = new DistillRetrainer();

        var ptq = QuantizationJob.Run(Request(temp.File("ptq"), RetrainMode.None), new CollectingLog(), retrainer);
        var first = QuantizationJob.Run(Request(temp.File("a"), RetrainMode.Distill), new CollectingLog(), retrainer);
        var second = QuantizationJob.Run(Request(temp.File("b"), RetrainMode.Distill), new CollectingLog(), retrainer);

        var ptqAgreement = ptq.Report.Evaluation!.Outputs[0].Top1Agreement!.Value;
        var distillAgreement = first.Report.Evaluation!.Outputs[0].Top1Agreement!.Value;
        Console.WriteLine($"W{WeightBits}A8 top-1 agreement with float on 497 held-out samples: PTQ {ptqAgreement:P2}, Distill {distillAgreement:P2}");
        Assert.IsGreaterThanOrEqualTo(ptqAgreement, distillAgreement);
        Assert.IsGreaterThan(ptq.Report.Evaluation.Outputs[0].CosineMean, first.Report.Evaluation.Outputs[0].CosineMean,
            "retraining brings the outputs closer to the float model's");
        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(second.QuantizedModel), "same seed and threads, same bytes");
        CollectionAssert.AreEqual(File.ReadAllBytes(first.RecordFile), File.ReadAllBytes(second.RecordFile));
    }
}
