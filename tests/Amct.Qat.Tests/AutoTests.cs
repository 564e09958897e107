using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;
using Amct.Engine.Retraining;
using Amct.Qat.Training;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>
/// Retrain="Auto" with the real worker on the digits CNN at 3-bit weights, gated on top-1 agreement with the float
/// model over the 497 held-out samples (post-training: 98.59 %).
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class AutoTests
{
    private static QuantizeRequest Request(string output, RetrainMode retrain, double minAgreement) =>
        AdaRoundTests.Request(output, retrain) with
        {
            Gate = new GateThresholds { MinTop1Agreement = minAgreement },
            AutoFallback = false,
        };

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
