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

    /// <summary>Halves every activation scale: a change the outputs must show.</summary>
    private sealed class HalvingRetrainer : IRetrainer
    {
        public RetrainInput? Seen { get; private set; }

        public RetrainResult Retrain(RetrainInput input)
        {
            Seen = input;
            var factors = input.Factors.Select(f => f with { Params = new ActivationParams(f.Params.Scale / 2, f.Params.Offset) }).ToList();
            return new RetrainResult(factors, input.Weights, [0.0], 0, 0);
        }
    }
}
