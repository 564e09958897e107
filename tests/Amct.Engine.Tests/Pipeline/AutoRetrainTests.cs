using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Retraining;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// Retrain=Auto's choice, with scripted retrainers (no libtorch): the real digits CNN at 3-bit weights, evaluated on its
/// 497 held-out samples, where post-training quantization (bias correction on, the default) agrees with the float
/// model on 99.80 % of them (98.59 % without bias correction) — so MinTop1Agreement 0.95 passes and
/// <see cref="Strict"/> fails. A retrainer that "improves" hands back the 8-bit weights of the same layers, which agree
/// on every sample.
/// </summary>
[TestClass]
public sealed class AutoRetrainTests
{
    /// <summary>Above the 496 of 497 samples post-training quantization agrees on; every sample passes it.</summary>
    private const double Strict = 0.999;

    private static QuantizeRequest Digits(TempFolder temp, string output, double minAgreement, RetrainMode retrain = RetrainMode.Auto) => new()
    {
        ModelPath = TestData.DigitsModel,
        CalibrationData = TestData.DigitsCalibration,
        EvaluationData = TestData.PathOf("digits-cnn/test_x.npy"),
        OutputDirectory = temp.File(output),
        MeasureLatency = false,
        WeightBits = 3,
        Retrain = retrain,
        Gate = new GateThresholds { MinTop1Agreement = minAgreement },
        AutoFallback = false,
        AccuracyFailureIsWarning = true,
    };

    [TestMethod]
    public void When_post_training_quantization_passes_the_gate_Auto_does_not_retrain_and_ships_the_PTQ_model()
    {
        using var temp = new TempFolder();
        var retrainer = new ScriptedRetrainer(_ => null);
        var log = new CollectingLog();

        var auto = QuantizationJob.Run(Digits(temp, "auto", 0.95), log, retrainer);
        var ptq = QuantizationJob.Run(Digits(temp, "ptq", 0.95, RetrainMode.None), new CollectingLog());

        Assert.IsEmpty(retrainer.Modes);
        Assert.IsTrue(auto.Report.Gate!.Passed);
        CollectionAssert.AreEqual(File.ReadAllBytes(ptq.QuantizedModel), File.ReadAllBytes(auto.QuantizedModel));
        Assert.IsTrue(log.Messages.Any(m => m.Contains("post-training quantization passes the gate; no retraining", StringComparison.Ordinal)));
    }

    [TestMethod]
    public void When_the_gate_fails_Auto_stops_at_the_first_mode_that_passes_and_ships_its_weights()
    {
        using var temp = new TempFolder();
        var eightBit = EightBitWeights(temp);
        var retrainer = new ScriptedRetrainer(input => input.Options.Mode == RetrainMode.AdaRound ? eightBit : null);

        var result = QuantizationJob.Run(Digits(temp, "out", Strict), new CollectingLog(), retrainer);

        CollectionAssert.AreEqual(new[] { RetrainMode.AdaRound }, retrainer.Modes.ToArray());
        Assert.IsTrue(result.Report.Gate!.Passed);
        Assert.AreEqual(1.0, result.Report.Evaluation!.Outputs[0].Top1Agreement);
    }

    [TestMethod]
    public void When_no_mode_passes_Auto_tries_AdaRound_then_Distill_and_the_gate_fails_as_without_retraining()
    {
        using var temp = new TempFolder();
        var retrainer = new ScriptedRetrainer(_ => null);

        var result = QuantizationJob.Run(Digits(temp, "out", Strict), new CollectingLog(), retrainer);

        CollectionAssert.AreEqual(new[] { RetrainMode.AdaRound, RetrainMode.Distill }, retrainer.Modes.ToArray());
        Assert.IsFalse(result.Report.Gate!.Passed);
    }

    [TestMethod]
    public void When_retraining_cannot_run_Auto_warns_with_its_code_and_ships_the_PTQ_model()
    {
        using var temp = new TempFolder();
        var ptq = QuantizationJob.Run(Digits(temp, "ptq", Strict, RetrainMode.None), new CollectingLog());
        foreach (var (retrainer, code) in new (IRetrainer?, string)[]
        {
            (null, ErrorCodes.RetrainNeedsQatWorker),
            (new ScriptedRetrainer(_ => throw new AmctException(ErrorCodes.RetrainUnsupportedOp, "model.onnx", "no Erf")), ErrorCodes.RetrainUnsupportedOp),
            (new ScriptedRetrainer(_ => throw new AmctException(ErrorCodes.LibTorchLoadFailed, "libtorch.so", "no load")), ErrorCodes.LibTorchLoadFailed),
            (new ScriptedRetrainer(_ => throw new AmctException(ErrorCodes.RetrainUnsupportedPlatform, "Retrain", "linux-riscv64")), ErrorCodes.RetrainUnsupportedPlatform),
        })
        {
            var log = new CollectingLog();

            var auto = QuantizationJob.Run(Digits(temp, "auto", Strict), log, retrainer);

            Assert.AreEqual(code, log.Warnings.Single(w => w.Code.StartsWith("AMCT6", StringComparison.Ordinal)).Code);
            CollectionAssert.AreEqual(File.ReadAllBytes(ptq.QuantizedModel), File.ReadAllBytes(auto.QuantizedModel), code);
        }
    }

    [TestMethod]
    public void Without_a_worker_an_explicit_mode_is_still_AMCT6001()
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Digits(temp, "out", 0.95, RetrainMode.AdaRound), new CollectingLog(), retrainer: null));

        Assert.AreEqual(ErrorCodes.RetrainNeedsQatWorker, error.Code);
        StringAssert.Contains(error.Message, "Retrain=AdaRound");
    }

    /// <summary>The digits CNN's 8-bit post-training weights, taken from the input of a retrainer.</summary>
    private static IReadOnlyDictionary<string, QuantizedWeights> EightBitWeights(TempFolder temp)
    {
        IReadOnlyDictionary<string, QuantizedWeights>? weights = null;
        var capture = new ScriptedRetrainer(input =>
        {
            weights = input.Weights;
            return null;
        });
        QuantizationJob.Run(Digits(temp, "w8", 0.95, RetrainMode.Distill) with { WeightBits = 8 }, new CollectingLog(), capture);
        return weights!;
    }

    /// <summary>Returns, per call, the weights <c>script</c> gives (null: the input's, unchanged), and notes the modes.</summary>
    private sealed class ScriptedRetrainer(Func<RetrainInput, IReadOnlyDictionary<string, QuantizedWeights>?> script) : IRetrainer
    {
        public List<RetrainMode> Modes { get; } = [];

        public RetrainResult Retrain(RetrainInput input)
        {
            Modes.Add(input.Options.Mode);
            var weights = script(input) ?? input.Weights;
            return new RetrainResult(input.Factors, weights, [0.0], 1, 0, 0);
        }
    }
}
