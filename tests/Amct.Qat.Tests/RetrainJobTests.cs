using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization.Rounding;
using Amct.Engine.Retraining;
using Amct.Qat.Training;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>
/// The retraining modes end to end in the engine with the worker's retrainer: calibrate on the digits CNN's 200
/// calibration samples, retrain on them against the float model, evaluate on the 497 held-out samples with ONNX
/// Runtime, as PTQ is evaluated (post-training at 3-bit weights: 98.59 % top-1 agreement with float).
/// </summary>
/// <remarks>
/// Bias correction and Hessian weight rounding are off in these jobs: the retraining modes start from the calibrated
/// model with its weights rounded to nearest and do not correct biases, so the post-training model they must beat is
/// the nearest-rounded, uncorrected one. With bias correction (the default) the
/// post-training model at 3-bit weights already agrees on 99.80 % (Distill 99.80 %, AdaRound 99.40 %); at 2-bit
/// weights 86.12 % (Distill 97.59 %, AdaRound 73.84 %). <see cref="RetrainOnBuildTests"/> compares against that default.
/// </remarks>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class RetrainJobTests
{
    /// <summary>Low enough that post-training quantization visibly loses agreement, so retraining has work to do.</summary>
    private const int WeightBits = 3;

    private static QuantizeRequest Request(string output, RetrainMode retrain, double? minAgreement = null) => new()
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
        Gate = new GateThresholds { MinTop1Agreement = minAgreement },
        AutoFallback = false,
        BiasCorrection = false, // see the remarks
        WeightRounding = WeightRounding.Nearest,
    };

    [TestMethod]
    [DataRow(RetrainMode.Distill)]
    [DataRow(RetrainMode.AdaRound)]
    public void A_retrained_model_agrees_with_the_float_model_on_held_out_data_better_than_PTQ_and_reproducibly(RetrainMode mode)
    {
        using var temp = new TempFolder();
        var retrainer = new QatRetrainer();

        var ptq = QuantizationJob.Run(Request(temp.File("ptq"), RetrainMode.None), new CollectingLog(), retrainer);
        var first = QuantizationJob.Run(Request(temp.File("a"), mode), new CollectingLog(), retrainer);
        var second = QuantizationJob.Run(Request(temp.File("b"), mode), new CollectingLog(), retrainer);

        var ptqAgreement = ptq.Report.Evaluation!.Outputs[0].Top1Agreement!.Value;
        var agreement = first.Report.Evaluation!.Outputs[0].Top1Agreement!.Value;
        Console.WriteLine($"W{WeightBits}A8 top-1 agreement with float on 497 held-out samples: PTQ {ptqAgreement:P2}, {mode} {agreement:P2}");
        Assert.IsGreaterThan(ptqAgreement, agreement);
        Assert.IsGreaterThan(ptq.Report.Evaluation.Outputs[0].CosineMean, first.Report.Evaluation.Outputs[0].CosineMean,
            "retraining brings the outputs closer to the float model's");
        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(second.QuantizedModel), "same seed and threads, same bytes");
        CollectionAssert.AreEqual(File.ReadAllBytes(first.RecordFile), File.ReadAllBytes(second.RecordFile));
        var curve = first.Report.Retraining!.LossCurve;
        if (mode == RetrainMode.Distill)
        {
            Assert.HasCount(10, curve, "one mean loss per epoch");
            Assert.IsLessThan(curve[0], curve[^1], "the distillation loss falls");
            var heldOut = first.Report.Retraining.HeldOutLossCurve!;
            Assert.HasCount(10, heldOut, "the loss on the evaluation data after each epoch");
            Assert.IsLessThan(heldOut[0], heldOut[^1], "the held-out loss falls too: the training generalizes");
            Assert.AreEqual(200L, first.Report.Retraining.HeldOutSamples, "as many held-out samples as training ones");
            var start = first.Report.Retraining.HeldOutLossAtStart!.Value;
            var lowest = heldOut.Min() < start ? heldOut.ToList().IndexOf(heldOut.Min()) + 1 : 0;
            Assert.AreEqual(lowest, first.Report.Retraining.KeptEpoch, "the epoch with the lowest held-out loss ships");
        }
        else
        {
            Assert.HasCount(first.Report.Layers.Count, curve, "AdaRound: one output error per layer, in graph order");
        }
    }

    [TestMethod]
    public void The_same_seed_gives_the_same_bytes_and_another_seed_another_model()
    {
        using var temp = new TempFolder();
        var retrainer = new QatRetrainer();
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
            new QatRetrainer());

        var retraining = result.Report.Retraining!;
        Assert.AreEqual((0, 0), (retraining.Steps, retraining.EpochsRun));
        Assert.IsGreaterThan(0.001, retraining.SetupSeconds, "converting the model and the teacher's outputs take time");
        Assert.IsGreaterThanOrEqualTo(retraining.SetupSeconds, retraining.Seconds);
        Assert.ContainsSingle(log.Warnings.Where(w => w.Code == Engine.ErrorCodes.RetrainBudgetSpentOnSetup));
    }

    [TestMethod]
    public void Auto_ships_the_PTQ_model_when_it_passes_the_gate_and_a_retrained_one_that_passes_when_PTQ_fails()
    {
        using var temp = new TempFolder();
        var retrainer = new QatRetrainer();
        var ptq = QuantizationJob.Run(Request(temp.File("ptq"), RetrainMode.None, 0.95), new CollectingLog(), retrainer);

        var lenient = QuantizationJob.Run(Request(temp.File("lenient"), RetrainMode.Auto, 0.95), new CollectingLog(), retrainer);
        var strictLog = new CollectingLog();
        var strict = QuantizationJob.Run(Request(temp.File("strict"), RetrainMode.Auto, 0.99), strictLog, retrainer);

        CollectionAssert.AreEqual(File.ReadAllBytes(ptq.QuantizedModel), File.ReadAllBytes(lenient.QuantizedModel), "no retraining");
        Assert.IsTrue(strict.Report.Gate!.Passed, "PTQ's 98.59 % misses 0.99; a retrained model passes");
        Assert.IsGreaterThanOrEqualTo(0.99, strict.Report.Evaluation!.Outputs[0].Top1Agreement!.Value);
        Assert.IsTrue(strictLog.Messages.Any(m => m.StartsWith("Retrain=Auto: AdaRound passes the gate", StringComparison.Ordinal)),
            string.Join("\n", strictLog.Messages));
    }
}
