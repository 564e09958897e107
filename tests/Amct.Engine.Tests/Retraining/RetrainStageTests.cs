using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Retraining;
using Amct.Engine.Settings;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Retraining;

/// <summary>
/// The engine's side of retraining, without libtorch: plain amct refuses Retrain with a coded error, and a retrainer's
/// factors and weights are what the QDQ builder, record and report then use.
/// </summary>
[TestClass]
public sealed class RetrainStageTests
{
    private static QuantizeRequest Request(TempFolder temp, RetrainMode retrain) => new()
    {
        ModelPath = TestData.DigitsModel,
        CalibrationData = TestData.DigitsCalibration,
        OutputDirectory = temp.File("out"),
        MeasureLatency = false,
        Retrain = retrain,
    };

    [TestMethod]
    public void Retrain_without_a_retrainer_is_AMCT6001_and_writes_nothing()
    {
        using var temp = new TempFolder();

        var error = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp, RetrainMode.Distill), new CollectingLog()));

        Assert.AreEqual(ErrorCodes.RetrainNeedsQatWorker, error.Code);
        StringAssert.Contains(error.Message, "Amct.Build.Qat");
        Assert.IsFalse(Directory.Exists(temp.File("out")) && Directory.EnumerateFiles(temp.File("out")).Any());
    }

    [TestMethod]
    public void The_retrainers_factors_and_weights_are_the_ones_written()
    {
        using var temp = new TempFolder();
        var retrainer = new HalvingRetrainer();

        var result = QuantizationJob.Run(Request(temp, RetrainMode.Distill), new CollectingLog(), retrainer);

        Assert.IsNotNull(retrainer.Seen);
        Assert.AreEqual(200, retrainer.Seen.Batches.Sum(b => b.Values.First().Dims[0]), "the calibration data is the default training data");
        var expected = retrainer.Seen.Factors.ToDictionary(f => f.Tensor, f => f.Params.Scale / 2);
        Assert.IsNotEmpty(result.Report.Layers);
        foreach (var layer in result.Report.Layers)
        {
            Assert.AreEqual(expected[layer.Input], layer.ScaleD, $"{layer.Name}: the retrained input scale is the one reported");
        }
    }

    [TestMethod]
    public void No_retraining_leaves_the_retrainer_unused()
    {
        using var temp = new TempFolder();
        var retrainer = new HalvingRetrainer();

        QuantizationJob.Run(Request(temp, RetrainMode.None), new CollectingLog(), retrainer);

        Assert.IsNull(retrainer.Seen);
        Assert.AreEqual("none", SettingList.Retrain.DefaultText);
    }

    [TestMethod]
    public void The_seed_and_the_calibration_samples_used_reach_the_retrainer_and_the_loss_curve_the_reports()
    {
        using var temp = new TempFolder();
        var retrainer = new HalvingRetrainer();

        var result = QuantizationJob.Run(Request(temp, RetrainMode.Distill) with { RetrainSeed = 7, SampleCount = 64 },
            new CollectingLog(), retrainer);

        Assert.AreEqual(7, retrainer.Seen!.Options.Seed);
        Assert.AreEqual(64, retrainer.Seen.Batches.Sum(b => b.Values.First().Dims[0]), "training on the calibration data takes the samples calibration used");
        var retraining = result.Report.Retraining!;
        CollectionAssert.AreEqual(new[] { 0.5, 0.25 }, retraining.LossCurve.ToArray());
        Assert.AreEqual((64L, 2, 2, 7, 0.5, 1.5), (retraining.Samples, retraining.EpochsRun, retraining.Steps, retraining.Seed,
            retraining.SetupSeconds, retraining.Seconds));
        StringAssert.Contains(File.ReadAllText(result.ReportFile), "\"lossCurve\": [\n      0.5,\n      0.25\n    ]");
        var markdown = File.ReadAllText(result.Report.HumanReport!);
        StringAssert.Contains(markdown, "| retraining | Distill on 64 samples: 2 of 10 epochs (2 steps) in 1.5 s (setup 0.5 s), seed 7, 1 thread; loss █▁ |");
        StringAssert.Contains(markdown, "| epoch | loss |\n|---|---|\n| 1 | 0.5 |\n| 2 | 0.25 |\n");
    }

    [TestMethod]
    public void With_evaluation_data_its_first_samples_are_held_out_and_their_loss_per_epoch_reaches_the_reports()
    {
        using var temp = new TempFolder();
        var retrainer = new HalvingRetrainer();

        var log = new CollectingLog();
        var result = QuantizationJob.Run(Request(temp, RetrainMode.Distill) with { EvaluationData = TestData.PathOf("digits-cnn/test_x.npy") },
            log, retrainer);

        Assert.AreEqual(200, retrainer.Seen!.HeldOut.Sum(b => b.Values.First().Dims[0]), "at most as many held-out samples as training ones");
        var retraining = result.Report.Retraining!;
        CollectionAssert.AreEqual(new[] { 0.75, 0.5 }, retraining.HeldOutLossCurve!.ToArray());
        Assert.AreEqual(200L, retraining.HeldOutSamples);
        StringAssert.Contains(File.ReadAllText(result.ReportFile), "\"heldOutLossCurve\": [\n      0.75,\n      0.5\n    ]");
        var markdown = File.ReadAllText(result.Report.HumanReport!);
        StringAssert.Contains(markdown, "| epoch | loss | held-out loss |\n|---|---|---|\n| 1 | 0.5 | 0.75 |\n| 2 | 0.25 | 0.5 |\n");
        Assert.AreEqual((0.625, 2), (retraining.HeldOutLossAtStart, retraining.KeptEpoch));
        StringAssert.Contains(File.ReadAllText(result.ReportFile), "\"heldOutLossAtStart\": 0.625,\n    \"keptEpoch\": 2");
        StringAssert.Contains(markdown, "; 0.625 before training.\n\nShipped: epoch 2, the lowest held-out loss.\n");
        Assert.IsTrue(log.Messages.Any(m => m.Contains("held-out loss 0.625 (before training) 0.75 0.5; kept epoch 2", StringComparison.Ordinal)),
            string.Join("\n", log.Messages));
    }

    [TestMethod]
    public void Without_evaluation_data_nothing_is_held_out()
    {
        using var temp = new TempFolder();
        var retrainer = new HalvingRetrainer();

        var result = QuantizationJob.Run(Request(temp, RetrainMode.Distill), new CollectingLog(), retrainer);

        Assert.IsEmpty(retrainer.Seen!.HeldOut);
        Assert.IsNull(result.Report.Retraining!.HeldOutLossCurve);
        Assert.IsFalse(File.ReadAllText(result.ReportFile).Contains("heldOut", StringComparison.Ordinal));
    }

    [TestMethod]
    public void TrainingSampleCount_takes_the_first_samples_of_the_training_data_which_is_otherwise_read_whole()
    {
        using var temp = new TempFolder();
        var retrainer = new HalvingRetrainer();
        var request = Request(temp, RetrainMode.Distill) with { TrainingData = TestData.PathOf("digits-cnn/test_x.npy"), SampleCount = 64 };

        QuantizationJob.Run(request, new CollectingLog(), retrainer);
        Assert.AreEqual(497, retrainer.Seen!.Batches.Sum(b => b.Values.First().Dims[0]), "SampleCount limits the calibration data only");

        QuantizationJob.Run(request with { TrainingSampleCount = 40 }, new CollectingLog(), retrainer);
        Assert.AreEqual(40, retrainer.Seen!.Batches.Sum(b => b.Values.First().Dims[0]));
    }

    [TestMethod]
    public void A_retraining_that_ran_no_step_warns_AMCT6008()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();

        var result = QuantizationJob.Run(Request(temp, RetrainMode.Distill) with { RetrainTimeBudget = 0.001 }, log, new HalvingRetrainer(steps: 0));

        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.RetrainBudgetSpentOnSetup);
        StringAssert.Contains(warning.Message, "setup");
        Assert.AreEqual(0, result.Report.Retraining!.Steps);
    }

    [TestMethod]
    public void TrainingLabels_reach_the_retrainer_batch_by_batch_for_the_samples_it_trains_on_and_the_reports_name_them()
    {
        using var temp = new TempFolder();
        var retrainer = new HalvingRetrainer();
        var labels = TestData.PathOf("digits-cnn/test_y.npy");
        var request = Request(temp, RetrainMode.Distill) with
        {
            TrainingData = TestData.PathOf("digits-cnn/test_x.npy"),
            TrainingLabels = labels,
            TrainingSampleCount = 40,
        };

        var result = QuantizationJob.Run(request, new CollectingLog(), retrainer);

        var seen = retrainer.Seen!.Labels!;
        Assert.AreEqual(Path.GetFullPath(labels), seen.Path);
        CollectionAssert.AreEqual(retrainer.Seen.Batches.Select(b => (int)b.Values.First().Dims[0]).ToArray(),
            seen.PerBatch.Select(l => l.Length).ToArray(), "one label per sample of each batch");
        CollectionAssert.AreEqual(Amct.Engine.Data.Labels.Read(labels, 497).Take(40).ToArray(), seen.PerBatch.SelectMany(l => l).ToArray(),
            "the labels of the first 40 samples, in order");
        Assert.AreEqual(labels, result.Report.Retraining!.TrainingLabels);
        StringAssert.Contains(File.ReadAllText(result.ReportFile), "\"trainingLabels\"");
        StringAssert.Contains(File.ReadAllText(result.Report.HumanReport!), "cross-entropy with the labels of");
    }

    [TestMethod]
    public void TrainingLabels_of_other_data_are_AMCT3043_or_AMCT3018_naming_the_training_samples_and_a_missing_file_AMCT3001()
    {
        using var temp = new TempFolder();
        var retrainer = new HalvingRetrainer();
        var fewer = temp.File("fewer.npy");
        NpyWriter.Write(fewer, [3], new long[] { 1, 2, 3 });

        // 497 labels for the 200 calibration samples (training data by default), then 3 for them.
        var tooMany = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp, RetrainMode.Distill) with
        {
            TrainingLabels = TestData.PathOf("digits-cnn/test_y.npy"),
        }, new CollectingLog(), retrainer));
        var tooFew = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp, RetrainMode.Distill) with
        {
            TrainingLabels = fewer,
        }, new CollectingLog(), retrainer));
        var missing = Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(Request(temp, RetrainMode.Distill) with
        {
            TrainingLabels = temp.File("none.npy"),
        }, new CollectingLog(), retrainer));

        Assert.AreEqual((ErrorCodes.LabelsTooMany, ErrorCodes.LabelsTooFew, ErrorCodes.DataNotFound), (tooMany.Code, tooFew.Code, missing.Code));
        StringAssert.Contains(tooMany.Message, "holds 200 samples to train on");
        StringAssert.Contains(tooMany.Message, "without TrainingData, the labels are for the calibration data");
        Assert.AreEqual(fewer, tooFew.Target);
        Assert.IsNull(retrainer.Seen, "nothing is retrained on labels that do not fit");
    }

    /// <summary>Halves every activation scale: a change the outputs must show.</summary>
    private sealed class HalvingRetrainer(int steps = 2) : IRetrainer
    {
        public RetrainInput? Seen { get; private set; }

        public RetrainResult Retrain(RetrainInput input)
        {
            Seen = input;
            var factors = input.Factors.Select(f => f with { Params = new ActivationParams(f.Params.Scale / 2, f.Params.Offset) }).ToList();
            return new RetrainResult(factors, input.Weights, steps == 0 ? [] : [0.5, 0.25], steps, 0.5, 1.5)
            {
                HeldOutLossCurve = input.HeldOut.Count > 0 ? [0.75, 0.5] : [],
                HeldOutLossAtStart = input.HeldOut.Count > 0 ? 0.625 : null,
                KeptEpoch = input.HeldOut.Count > 0 ? 2 : null,
            };
        }
    }
}
