using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Latency;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Pipeline.Stages;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>The latency stage on the committed digits CNN: figures and fused ops in the reports, and the slower-int8 warning.</summary>
[TestClass]
public sealed class LatencyStageTests
{
    // The calibration data only: the timed sample is then a calibration sample.
    private static QuantizeRequest DigitsRequest(string outputDirectory) =>
        QuantizationJobTests.DigitsRequest(outputDirectory) with { EvaluationData = null, EvaluationLabels = null };

    [TestMethod]
    public void The_reports_carry_the_latency_figures_and_the_ops_onnx_runtime_runs()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(DigitsRequest(temp.Path) with { LatencyThreads = 2 }, new CollectingLog());

        var latency = result.Report.Latency ?? throw new AssertFailedException("no latency in the report");
        Assert.IsGreaterThan(0.0, latency.FloatMs);
        Assert.IsGreaterThan(0.0, latency.Int8Ms);
        Assert.IsGreaterThan(0.0, latency.Ratio);
        Assert.IsGreaterThanOrEqualTo(3, latency.Rounds);
        Assert.AreEqual(2, latency.Threads);
        Assert.AreEqual(1, latency.BatchSize);
        var ops = latency.Int8Ops!.ToDictionary(o => o.OpType, o => o.Count);
        Assert.AreEqual(4, ops.GetValueOrDefault("QLinearConv"), FusedOps.Describe(latency.Int8Ops!));
        Assert.AreEqual(2, ops.GetValueOrDefault("QGemm"), FusedOps.Describe(latency.Int8Ops!));
        Assert.AreEqual("QLinearConv", latency.Int8Ops![0].OpType, "most frequent op first");

        var json = File.ReadAllText(result.ReportFile);
        StringAssert.Contains(json, "\"latency\": {");
        StringAssert.Contains(json, "\"opType\": \"QLinearConv\"");
        var markdown = File.ReadAllText(result.Report.HumanReport!);
        StringAssert.Contains(markdown, "| latency | int8/float latency ");
        StringAssert.Contains(markdown, "| ONNX Runtime runs | QLinearConv ×4, ");
    }

    [TestMethod]
    public void The_model_and_record_are_the_same_with_and_without_the_timing()
    {
        using var temp = new TempFolder();
        var measured = QuantizationJob.Run(DigitsRequest(temp.File("a")), new CollectingLog());
        var unmeasured = QuantizationJob.Run(DigitsRequest(temp.File("b")) with { MeasureLatency = false }, new CollectingLog());

        Assert.IsNull(unmeasured.Report.Latency);
        CollectionAssert.AreEqual(File.ReadAllBytes(measured.QuantizedModel), File.ReadAllBytes(unmeasured.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(measured.RecordFile), File.ReadAllBytes(unmeasured.RecordFile));
        Assert.IsFalse(File.ReadAllText(unmeasured.Report.HumanReport!).Contains("| latency |", StringComparison.Ordinal));
    }

    [TestMethod]
    public void An_int8_model_slower_than_float_is_a_coded_warning_that_says_why()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var meter = new FixedMeter(new LatencyReport(1.0, 1.2, 1.2, 5, 1, 1, [new OpCount("QLinearConv", 4)]));
        var result = QuantizationJob.Run(DigitsRequest(temp.Path), log, WithMeter(meter));

        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.Int8SlowerThanFloat);
        StringAssert.Contains(warning.Message, "int8/float latency 1.20× — slower");
        StringAssert.Contains(warning.Message, "NCHWc");
        StringAssert.Contains(warning.Message, "SkipLayers");
        Assert.AreEqual(1.2, result.Report.Latency!.Ratio);
        StringAssert.Contains(File.ReadAllText(result.Report.HumanReport!), "int8/float latency 1.20× — slower");
        Assert.AreEqual(1, meter.Calls);
    }

    [TestMethod]
    public void An_int8_model_faster_than_float_gives_no_warning()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var meter = new FixedMeter(new LatencyReport(1.0, 0.62, 0.62, 5, 1, 1, null));
        QuantizationJob.Run(DigitsRequest(temp.Path), log, WithMeter(meter));

        Assert.IsFalse(log.Warnings.Any(w => w.Code == ErrorCodes.Int8SlowerThanFloat));
        Assert.AreEqual("int8/float latency 0.62×", meter.Report.Describe());
    }

    [TestMethod]
    public void A_slowdown_within_onnx_runtimes_per_run_overhead_warns_that_int8_buys_size_not_speed()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var meter = new FixedMeter(new LatencyReport(0.02, 0.03, 1.5, 15, 1, 1, null));
        QuantizationJob.Run(DigitsRequest(temp.Path), log, WithMeter(meter));

        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.Int8SlowerThanFloat);
        StringAssert.Contains(warning.Message, "int8/float latency 1.50× — slower");
        StringAssert.Contains(warning.Message, "runs in 0.02 ms");
        StringAssert.Contains(warning.Message, "int8 buys size here, not speed");
    }

    [TestMethod]
    public void An_int8_model_less_than_5_percent_faster_warns_that_it_is_no_faster()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var meter = new FixedMeter(new LatencyReport(2.0, 1.94, 0.97, 9, 1, 1, null));
        var result = QuantizationJob.Run(DigitsRequest(temp.Path), log, WithMeter(meter));

        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.Int8SlowerThanFloat);
        StringAssert.Contains(warning.Message, "the int8 model is no faster than the float one here (int8/float latency 0.97× — no faster");
        StringAssert.Contains(warning.Message, "NCHWc");
        StringAssert.Contains(File.ReadAllText(result.Report.HumanReport!), "int8/float latency 0.97× — no faster");
    }

    [TestMethod]
    public void An_int8_model_exactly_5_percent_faster_gives_no_warning()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        var meter = new FixedMeter(new LatencyReport(2.0, 1.9, LatencyReport.QuietRatio, 9, 1, 1, null));
        QuantizationJob.Run(DigitsRequest(temp.Path), log, WithMeter(meter));

        Assert.IsFalse(log.Warnings.Any(w => w.Code == ErrorCodes.Int8SlowerThanFloat));
    }

    private static List<IJobStage> WithMeter(ILatencyMeter meter)
    {
        var stages = QuantizationJob.Stages();
        stages[stages.FindIndex(s => s.Name == "latency")] = new LatencyStage(meter);
        return stages;
    }

    private sealed class FixedMeter(LatencyReport report) : ILatencyMeter
    {
        public LatencyReport Report => report;
        public int Calls { get; private set; }

        public LatencyReport Measure(ModelProto floatModel, ModelProto quantized, InputBatch batch, int threads, string source)
        {
            Calls++;
            return report;
        }
    }
}
