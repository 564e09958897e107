using Amct.Engine.Latency;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// The speed search's memo: a choice measured once on a machine is reused by later jobs from the same start, so the
/// same inputs give the same bytes even when the timings would now go the other way. Timings come from
/// <see cref="SpeedStageTests.CostMeter"/>; a second meter that finds int8 fast everywhere stands for a run whose
/// timings differ.
/// </summary>
[TestClass]
public sealed class SpeedChoiceMemoTests
{
    [TestMethod]
    public void A_remembered_choice_is_used_again_without_timing_and_ships_the_same_bytes()
    {
        using var temp = new TempFolder();
        var memo = temp.File("memo");
        var model = ConvNets.DepthwiseSeparable();
        var first = QuantizationJob.Run(SpeedStageTests.Request(temp, model, "first") with { SpeedChoiceCache = memo },
            new CollectingLog(), SpeedStageTests.WithMeter(new SpeedStageTests.CostMeter()));
        CollectionAssert.AreEqual(new[] { "dw0", "dw1", "dw2", "dw3" }, first.Report.SpeedChoice!.KeptFloat.ToArray());
        Assert.IsNull(first.Report.SpeedChoice.RememberedIn, "measured, not remembered");
        Assert.HasCount(1, Directory.GetFiles(memo, "*.json"));

        // Int8 depthwise as fast as float: timed afresh, this run would keep every layer int8.
        var log = new CollectingLog();
        var otherTimings = new SpeedStageTests.CostMeter(depthwiseInt8: 0.1);
        var second = QuantizationJob.Run(SpeedStageTests.Request(temp, model, "second") with { SpeedChoiceCache = memo },
            log, SpeedStageTests.WithMeter(otherTimings));

        Assert.AreEqual(1, otherTimings.Calls, "only the final latency figure is timed, not the search");
        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(second.QuantizedModel));
        Assert.AreEqual(Directory.GetFiles(memo, "*.json").Single(), second.Report.SpeedChoice!.RememberedIn);
        Assert.IsTrue(log.Messages.Any(i => i.Contains("as an earlier build on this machine measured", StringComparison.Ordinal)), string.Join("\n", log.Messages));
        StringAssert.Contains(File.ReadAllText(second.Report.HumanReport!), "remembered in");

        var unremembered = QuantizationJob.Run(SpeedStageTests.Request(temp, model, "third"), new CollectingLog(),
            SpeedStageTests.WithMeter(new SpeedStageTests.CostMeter(depthwiseInt8: 0.1)));
        Assert.IsEmpty(unremembered.Report.SpeedChoice!.KeptFloat, "without the memo these timings keep every layer int8");
    }

    [TestMethod]
    public void A_remembered_choice_is_built_without_evaluation_too()
    {
        using var temp = new TempFolder();
        var memo = temp.File("memo");
        var model = ConvNets.DepthwiseSeparable();
        QuantizeRequest Request(string name) => SpeedStageTests.Request(temp, model, name) with { SpeedChoiceCache = memo, SkipEvaluation = true };
        var first = QuantizationJob.Run(Request("first"), new CollectingLog(), SpeedStageTests.WithMeter(new SpeedStageTests.CostMeter()));
        var second = QuantizationJob.Run(Request("second"), new CollectingLog(),
            SpeedStageTests.WithMeter(new SpeedStageTests.CostMeter(depthwiseInt8: 0.1)));

        Assert.IsNotNull(second.Report.SpeedChoice!.RememberedIn);
        Assert.HasCount(4, second.Report.SpeedChoice.KeptFloat);
        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(second.QuantizedModel));
    }

    [TestMethod]
    public void A_damaged_memo_is_timed_again_and_replaced()
    {
        using var temp = new TempFolder();
        var memo = temp.File("memo");
        var model = ConvNets.DepthwiseSeparable();
        var first = QuantizationJob.Run(SpeedStageTests.Request(temp, model, "first") with { SpeedChoiceCache = memo },
            new CollectingLog(), SpeedStageTests.WithMeter(new SpeedStageTests.CostMeter()));
        var file = Directory.GetFiles(memo, "*.json").Single();
        File.WriteAllText(file, "{ \"optimizeFor\": ");

        var log = new CollectingLog();
        var meter = new SpeedStageTests.CostMeter();
        var second = QuantizationJob.Run(SpeedStageTests.Request(temp, model, "second") with { SpeedChoiceCache = memo },
            log, SpeedStageTests.WithMeter(meter));

        Assert.IsGreaterThan(1, meter.Calls, "the search timed again");
        Assert.IsTrue(log.Messages.Any(i => i.Contains("cannot be read", StringComparison.Ordinal) && i.Contains(file, StringComparison.Ordinal)),
            string.Join("\n", log.Messages));
        Assert.IsNull(second.Report.SpeedChoice!.RememberedIn);
        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(second.QuantizedModel));
        StringAssert.StartsWith(File.ReadAllText(file), "{", "rewritten whole");
        Assert.HasCount(first.Report.SpeedChoice!.KeptFloat.Count, second.Report.SpeedChoice.KeptFloat);
    }

    [TestMethod]
    public void Another_machine_identity_or_start_model_is_another_memo()
    {
        using var temp = new TempFolder();
        var memo = new SpeedChoiceMemo(temp.File("memo"));
        var a = ConvNets.DepthwiseSeparable();
        var b = ConvNets.DepthwiseSeparable(channels: 8);
        var rule = SpeedRule.For(OptimizeFor.Balanced)!;

        var path = memo.PathFor(a, rule, 1, "cpu A");
        Assert.AreEqual(path, memo.PathFor(a.Clone(), rule, 1, "cpu A"), "the same start on the same machine");
        Assert.AreNotEqual(path, memo.PathFor(a, rule, 1, "cpu B"));
        Assert.AreNotEqual(path, memo.PathFor(b, rule, 1, "cpu A"));
        Assert.AreNotEqual(path, memo.PathFor(a, rule, 2, "cpu A"));
        Assert.AreNotEqual(path, memo.PathFor(a, SpeedRule.For(OptimizeFor.Latency)!, 1, "cpu A"));
        StringAssert.Contains(MachineIdentity.Get(), "onnxruntime ");
    }
}
