using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Graph;
using Amct.Engine.Latency;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Pipeline.Stages;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// The latency-aware layer choice in whole jobs on nets built in code, with timings from a cost model
/// (<see cref="CostMeter"/>: int8 depthwise convolutions slow, int8 standard ones fast, as ONNX Runtime's kernels
/// behave on x86) instead of a clock: the choices are deterministic and the tests assert no timing.
/// </summary>
[TestClass]
public sealed class SpeedStageTests
{
    [TestMethod]
    public void Balanced_keeps_the_depthwise_convolutions_float_and_reports_the_measured_gain()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var result = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable()), log, WithMeter(new CostMeter()));

        var choice = result.Report.SpeedChoice ?? throw new AssertFailedException("no layer choice in the report");
        Assert.AreEqual(OptimizeFor.Balanced, choice.OptimizeFor);
        CollectionAssert.AreEqual(new[] { "dw0", "dw1", "dw2", "dw3" }, choice.KeptFloat.ToArray());
        CollectionAssert.AreEqual(new[] { LayerGroups.Stem, LayerGroups.Depthwise, LayerGroups.Pointwise },
            choice.Groups.Select(g => g.Kind).ToArray(), "the 3-channel stem Conv, depthwise, then by kernel family");
        // Cost model: 4 depthwise at 2 ms int8 -> 0.5 ms float, plus 4 pointwise and the stem at 0.5 ms: 10.5 -> 4.5 ms.
        Assert.AreEqual(SpeedDecision.NotFaster, choice.Groups[0].Decision, "the stem is 1.5 ms in float, 0.5 ms in int8");
        Assert.AreEqual(1 - (4.5 / 10.5), choice.Groups[1].Gain!.Value, 1e-3);
        Assert.AreEqual(SpeedDecision.NotFaster, choice.Groups[2].Decision);

        var model = ModelLoader.Load(result.QuantizedModel);
        Assert.AreEqual(4, Int8Convs(model).Count(c => c.StartsWith("pw", StringComparison.Ordinal)));
        Assert.IsFalse(Int8Convs(model).Any(c => c.StartsWith("dw", StringComparison.Ordinal)), "the depthwise layers ship float");
        Assert.AreEqual(Rebuilder.SpeedReason, result.Report.Skipped.Single(s => s.Name == "dw0").Reason);
        Assert.IsFalse(log.Warnings.Any(w => w.Code == ErrorCodes.Int8SlowerThanFloat), "4.5 ms int8 against 9.5 ms float");
        var markdown = File.ReadAllText(result.Report.HumanReport!);
        StringAssert.Contains(markdown, "## Layer choice for speed");
        StringAssert.Contains(markdown, $"| {LayerGroups.Depthwise} | 4 | kept in float: 0.43× (10.5 → 4.5 ms) and 0.43× (10.5 → 4.5 ms) end to end | 57.1% |");
        StringAssert.Contains(File.ReadAllText(result.ReportFile), "\"speedChoice\": {");
    }

    [TestMethod]
    public void Balanced_leaves_a_standard_conv_net_all_int8_and_byte_identical_to_Size()
    {
        using var temp = new TempFolder();
        var meter = new CostMeter();
        var balanced = QuantizationJob.Run(Request(temp, ConvNets.Standard(), "balanced"), new CollectingLog(), WithMeter(meter));
        var timedByBalanced = meter.Calls;
        var size = QuantizationJob.Run(Request(temp, ConvNets.Standard(), "size") with { OptimizeFor = OptimizeFor.Size },
            new CollectingLog(), WithMeter(meter));

        Assert.IsEmpty(balanced.Report.SpeedChoice!.KeptFloat);
        CollectionAssert.AreEqual(new[] { LayerGroups.Stem, LayerGroups.Standard }, balanced.Report.SpeedChoice.Groups.Select(g => g.Kind).ToArray());
        Assert.IsTrue(balanced.Report.SpeedChoice.Groups.All(g => g.Decision == SpeedDecision.NotFaster));
        Assert.IsNull(size.Report.SpeedChoice, "Size does not search");
        Assert.AreEqual(timedByBalanced + 1, meter.Calls, "Size times only the model that ships");
        CollectionAssert.AreEqual(File.ReadAllBytes(size.QuantizedModel), File.ReadAllBytes(balanced.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(size.RecordFile), File.ReadAllBytes(balanced.RecordFile));
        Assert.HasCount(3, Int8Convs(ModelLoader.Load(balanced.QuantizedModel)));
    }

    [TestMethod]
    public void The_same_timings_give_the_same_bytes()
    {
        using var temp = new TempFolder();
        var first = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable(), "a"), new CollectingLog(), WithMeter(new CostMeter()));
        var second = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable(), "b"), new CollectingLog(), WithMeter(new CostMeter()));

        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(second.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(first.RecordFile), File.ReadAllBytes(second.RecordFile));
    }

    [TestMethod]
    public void Size_ships_every_layer_int8_and_the_slowdown_warning_says_why()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var result = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable()) with { OptimizeFor = OptimizeFor.Size }, log,
            WithMeter(new CostMeter()));

        Assert.HasCount(9, Int8Convs(ModelLoader.Load(result.QuantizedModel)));
        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.Int8SlowerThanFloat);
        StringAssert.Contains(warning.Message, "OptimizeFor=Size keeps every layer int8");
    }

    [TestMethod]
    public void A_model_still_slower_after_the_search_is_a_warning_naming_what_was_tried()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        // Every int8 Conv slower than float, but by too little per group for Balanced's margin.
        var meter = new CostMeter(depthwiseInt8: 0.55, standardInt8: 1.6);
        var result = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable()), log, WithMeter(meter));

        Assert.IsEmpty(result.Report.SpeedChoice!.KeptFloat);
        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.Int8SlowerThanFloat);
        StringAssert.Contains(warning.Message, "No layer group was clearly faster in float (OptimizeFor=Balanced)");
    }

    [TestMethod]
    public void The_choice_composes_with_the_accuracy_gate_and_re_evaluates_the_model_that_ships()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable()) with
        {
            Gate = new GateThresholds { MinCosineSimilarity = 0.9 },
        }, new CollectingLog(), WithMeter(new CostMeter()));

        Assert.IsTrue(result.Report.Gate!.Passed);
        Assert.HasCount(4, result.Report.SpeedChoice!.KeptFloat);
        // The evaluation in the report is that of the model that ships: its layer table lacks the float layers.
        Assert.IsFalse(result.Report.Layers.Any(l => l.Name.StartsWith("dw", StringComparison.Ordinal)));
        Assert.IsNotNull(result.Report.Evaluation);
    }

    [TestMethod]
    public void Without_latency_measurement_nothing_is_timed_or_searched()
    {
        using var temp = new TempFolder();
        var meter = new CostMeter();
        var result = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable()) with { MeasureLatency = false },
            new CollectingLog(), WithMeter(meter));

        Assert.AreEqual(0, meter.Calls);
        Assert.IsNull(result.Report.SpeedChoice);
        Assert.HasCount(9, Int8Convs(ModelLoader.Load(result.QuantizedModel)));
    }

    [TestMethod]
    public void Two_groups_that_gain_too_little_alone_ship_float_together_when_that_clears_the_margin()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        // Int8 depthwise 0.62 ms and pointwise 1.62 ms against 0.5 and 1.5 in float: each group alone saves 0.48 of
        // 9.46 ms (0.95×, Balanced needs 0.90), both together 0.96 ms (0.90×). The stem stays int8 (0.5 against 1.5).
        var meter = new CostMeter(depthwiseInt8: 0.62, standardInt8: 0.5, pointwiseInt8: 1.62);
        var result = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable()), log, WithMeter(meter));

        var choice = result.Report.SpeedChoice!;
        CollectionAssert.AreEqual(new[] { "dw0", "dw1", "dw2", "dw3", "pw0", "pw1", "pw2", "pw3" }, choice.KeptFloat.ToArray());
        Assert.AreEqual(SpeedDecision.NotFaster, choice.Groups[0].Decision);
        Assert.IsTrue(choice.Groups.Skip(1).All(g => g.KeptFloat));
        StringAssert.Contains(choice.Groups[1].Outcome, $"kept in float together ({LayerGroups.Depthwise} + {LayerGroups.Pointwise})");
        CollectionAssert.AreEqual(new[] { "stem" }, Int8Convs(ModelLoader.Load(result.QuantizedModel)));

        var again = QuantizationJob.Run(Request(temp, ConvNets.DepthwiseSeparable(), "again"), new CollectingLog(),
            WithMeter(new CostMeter(depthwiseInt8: 0.62, standardInt8: 0.5, pointwiseInt8: 1.62)));
        CollectionAssert.AreEqual(File.ReadAllBytes(result.QuantizedModel), File.ReadAllBytes(again.QuantizedModel), "same timings, same bytes");
    }

    internal static QuantizeRequest Request(TempFolder temp, ModelProto model, string name = "net")
    {
        // One folder per job, the same file names in each: the outputs of two jobs can be compared byte for byte.
        var folder = Directory.CreateDirectory(temp.File(name)).FullName;
        var path = Path.Combine(folder, "net.onnx");
        ModelBuilder.Write(model, path);
        var input = model.Graph.Input[0].Type.TensorType.Shape.Dim;
        var data = Path.Combine(folder, "net.npy");
        ConvNets.WriteSamples(data, 8, (int)input[2].DimValue, (int)input[3].DimValue, (int)input[1].DimValue);
        return new QuantizeRequest { QualityFloor = false, ModelPath = path, CalibrationData = data, OutputDirectory = Path.Combine(folder, "out") };
    }

    /// <summary>The Conv nodes whose weight comes through a DequantizeLinear: those ONNX Runtime runs in int8.</summary>
    internal static List<string> Int8Convs(ModelProto model)
    {
        var dequantized = model.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Output[0]).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Node.Where(n => n.OpType == "Conv" && dequantized.Contains(n.Input[1])).Select(n => n.Name).ToList();
    }

    internal static List<IJobStage> WithMeter(ILatencyMeter meter)
    {
        var stages = QuantizationJob.Stages();
        stages[stages.FindIndex(s => s.Name == "speed")] = new SpeedStage(meter, SpeedStage.DefaultBudgetMs);
        stages[stages.FindIndex(s => s.Name == "latency")] = new LatencyStage(meter);
        return stages;
    }

    /// <summary>
    /// Milliseconds from the ops a model runs: per Conv, float 0.5 (depthwise) or 1.5 (other), int8 as given (1×1
    /// Convs as standard ones unless <paramref name="pointwiseInt8"/> is given).
    /// Deterministic: the same models always give the same figures.
    /// </summary>
    internal sealed class CostMeter(double depthwiseInt8 = 2.0, double standardInt8 = 0.5, double? pointwiseInt8 = null) : ILatencyMeter
    {
        public int Calls { get; private set; }

        public LatencyReport Measure(ModelProto floatModel, ModelProto quantized, InputBatch batch, int threads, string source)
        {
            Calls++;
            var (current, candidate) = (Cost(floatModel), Cost(quantized));
            return new LatencyReport(current, candidate, Math.Round(candidate / current, 3), 5, threads, batch.Count, null);
        }

        private double Cost(ModelProto model)
        {
            var int8 = Int8Convs(model).ToHashSet(StringComparer.Ordinal);
            return model.Graph.Node.Where(n => n.OpType == "Conv").Sum(n => NodeAttributes.GetInt(n, "group", 1) > 1
                ? (int8.Contains(n.Name) ? depthwiseInt8 : 0.5)
                : (int8.Contains(n.Name) ? (IsPointwise(n) ? pointwiseInt8 ?? standardInt8 : standardInt8) : 1.5));
        }

        private static bool IsPointwise(NodeProto conv) =>
            conv.Attribute.FirstOrDefault(a => a.Name == "kernel_shape") is { } kernel && kernel.Ints.All(k => k == 1);
    }
}
