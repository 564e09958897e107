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
    public void Distill_agrees_with_the_float_model_on_held_out_data_at_least_as_well_as_PTQ()
    {
        using var temp = new TempFolder();
        var retrainer = new DistillRetrainer();

        var ptq = QuantizationJob.Run(Request(temp.File("ptq"), RetrainMode.None), new CollectingLog(), retrainer);
        var first = QuantizationJob.Run(Request(temp.File("a"), RetrainMode.Distill), new CollectingLog(), retrainer);

        var ptqAgreement = ptq.Report.Evaluation!.Outputs[0].Top1Agreement!.Value;
        var distillAgreement = first.Report.Evaluation!.Outputs[0].Top1Agreement!.Value;
        Console.WriteLine($"W{WeightBits}A8 top-1 agreement with float on 497 held-out samples: PTQ {ptqAgreement:P2}, Distill {distillAgreement:P2}");
        Assert.IsGreaterThanOrEqualTo(ptqAgreement, distillAgreement);
        Assert.IsGreaterThan(ptq.Report.Evaluation.Outputs[0].CosineMean, first.Report.Evaluation.Outputs[0].CosineMean,
            "retraining brings the outputs closer to the float model's");
        Assert.HasCount(10, first.Report.Retraining!.LossCurve);
        Assert.IsLessThan(first.Report.Retraining.LossCurve[0], first.Report.Retraining.LossCurve[^1], "the distillation loss falls");
    }

    [TestMethod]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_another_model()
    {
        using var temp = new TempFolder();
        var retrainer = new DistillRetrainer();
        QuantizeRequest Short(string output, int seed) => Request(temp.File(output), RetrainMode.Distill) with
        {
            RetrainEpochs = 1,
            TrainingSampleCount = 64,
            RetrainSeed = seed,
        };

        var first = QuantizationJob.Run(Short("a", 5), new CollectingLog(), retrainer);
        var again = QuantizationJob.Run(Short("b", 5), new CollectingLog(), retrainer);
        var other = QuantizationJob.Run(Short("c", 6), new CollectingLog(), retrainer);

        Assert.AreEqual(64, first.Report.Retraining!.Samples, "TrainingSampleCount limits the training data");
        Assert.AreEqual(4, first.Report.Retraining.Steps, "64 samples in batches of 16, one epoch");
        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(again.QuantizedModel), "same seed and threads, same bytes");
        CollectionAssert.AreNotEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(other.QuantizedModel),
            "the seed orders the samples, so another seed trains another model");
    }

    [TestMethod]
    public void The_time_budget_counts_the_setup_so_a_budget_below_it_runs_no_step_and_warns()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();

        var result = QuantizationJob.Run(Request(temp.File("out"), RetrainMode.Distill) with { RetrainTimeBudget = 0.001 }, log,
            new DistillRetrainer());

        var retraining = result.Report.Retraining!;
        Assert.AreEqual((0, 0), (retraining.Steps, retraining.EpochsRun));
        Assert.IsGreaterThan(0.001, retraining.SetupSeconds, "converting the model and the teacher's outputs take time");
        Assert.IsGreaterThanOrEqualTo(retraining.SetupSeconds, retraining.Seconds);
        Assert.ContainsSingle(log.Warnings.Where(w => w.Code == Engine.ErrorCodes.RetrainBudgetSpentOnSetup));
    }
}
