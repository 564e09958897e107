using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Latency;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Pipeline.Stages;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// The fallback's 16-bit step on a two-Conv net built in code whose input has rare large spikes: at int8 the input's
/// step is too coarse for the bulk of the values, so the gate (3 dB above the int8 SQNR) fails; the first conv reading
/// a uint16 input (weights int8) passes it without giving the layer up to float. ONNX Runtime loads and runs the
/// <c>com.microsoft</c> 16-bit Q/DQ pairs (opset 13) and ONNX's own (opset 21).
/// </summary>
[TestClass]
public sealed class Int16FallbackTests
{
    [TestMethod]
    public void A_gate_int8_misses_passes_with_the_sensitive_layers_input_at_16_bits_and_the_reports_say_so()
    {
        using var temp = new TempFolder();
        var (request, int8Sqnr) = GateAboveInt8(temp, ConvNets.Standard(8, 2));
        var result = QuantizationJob.Run(request, new CollectingLog());

        var fallback = result.Report.Fallback ?? throw new AssertFailedException("no fallback ran");
        Assert.IsTrue(fallback.Passed);
        CollectionAssert.AreEqual(new[] { "conv0" }, fallback.Int16Layers.ToArray());
        Assert.IsEmpty(fallback.Reverted, "no layer given up to float");
        CollectionAssert.AreEqual(new[] { "input" }, fallback.Int16Tensors.ToArray());
        Assert.IsTrue(fallback.Steps[0].SixteenBit && fallback.Steps[0].Passed);
        Assert.IsGreaterThanOrEqualTo(int8Sqnr + 3, result.Report.Evaluation!.Outputs[0].SqnrDb);
        Assert.IsFalse(result.Report.Skipped.Any(s => s.Name == "conv0"), "conv0 keeps its int8 weights");

        var model = ModelLoader.Load(result.QuantizedModel);
        Assert.AreEqual(1, model.OpsetImport.Single(o => o.Domain == QdqModelBuilder.MicrosoftDomain).Version);
        var wide = model.Graph.Node.Where(n => n.Domain == QdqModelBuilder.MicrosoftDomain).ToList();
        CollectionAssert.AreEquivalent(new[] { "QuantizeLinear", "DequantizeLinear" }, wide.Select(n => n.OpType).ToArray());
        var zeroPoint = model.Graph.Initializer.Single(t => t.Name == wide[0].Input[2]);
        Assert.AreEqual(DataTypes.UInt16, zeroPoint.DataType, "asymmetric activations are stored as uint16");
        Assert.AreEqual(1, SpeedStageTests.Int8Convs(model).Count(c => c == "conv0"), "conv0's weights are int8 behind DequantizeLinear");

        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        Console.WriteLine($"ONNX Runtime runs: {string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"))}");
        Assert.AreEqual(1, ops.GetValueOrDefault("QLinearConv"), "conv1 stays an int8 kernel");
        Assert.IsGreaterThanOrEqualTo(1, ops.GetValueOrDefault("Conv") + ops.GetValueOrDefault("FusedConv"), "conv0 runs in float on the 16-bit input");
        Assert.IsTrue(RunsOnOnnxRuntime(result.QuantizedModel));

        var markdown = File.ReadAllText(result.Report.HumanReport!);
        StringAssert.Contains(markdown, "16-bit activations: `input`");
        StringAssert.Contains(markdown, "| `conv0` | Conv | int8, 16-bit input |");
        StringAssert.Contains(File.ReadAllText(result.ReportFile), "\"int16Tensors\": [");
    }

    [TestMethod]
    public void Without_the_16_bit_step_the_same_gate_gives_the_layer_up_to_float()
    {
        using var temp = new TempFolder();
        var (request, _) = GateAboveInt8(temp, ConvNets.Standard(8, 2));
        var result = QuantizationJob.Run(request with { Int16Fallback = false }, new CollectingLog());

        CollectionAssert.AreEqual(new[] { "conv0" }, result.Report.Fallback!.Reverted.ToArray());
        Assert.IsEmpty(result.Report.Fallback.Int16Layers);
        Assert.IsFalse(result.Report.Fallback.Steps.Any(s => s.SixteenBit));
        Assert.IsFalse(ModelLoader.Load(result.QuantizedModel).Graph.Node.Any(n => n.Domain == QdqModelBuilder.MicrosoftDomain));
    }

    [TestMethod]
    public void Sixteen_bits_timed_slower_than_float_give_the_layer_to_float_and_the_report_says_why()
    {
        using var temp = new TempFolder();
        var (request, _) = GateAboveInt8(temp, ConvNets.Standard(8, 2));
        var meter = new SlowInt16Meter();
        var result = QuantizationJob.Run(request with { MeasureLatency = true, LayerErrors = false }, new CollectingLog(), WithMeter(meter));

        var fallback = result.Report.Fallback!;
        Assert.IsTrue(fallback.Steps.Any(s => s.SixteenBit && s.Passed), "16 bits passed the gate");
        Assert.IsFalse(fallback.SixteenBitStep!.Keep);
        StringAssert.Contains(fallback.SixteenBitStep.Outcome, "1.50× the same layers in float");
        Assert.AreEqual(1.5, fallback.SixteenBitStep.Timing!.CandidateMs);
        CollectionAssert.AreEqual(new[] { "conv0" }, fallback.Reverted.ToArray());
        Assert.IsEmpty(fallback.Int16Layers);
        Assert.IsTrue(meter.SawSixteenBits, "the 16-bit model was the one timed");
    }

    [TestMethod]
    public void At_opset_21_the_16_bit_pairs_are_onnx_ops_and_onnx_runtime_runs_them()
    {
        using var temp = new TempFolder();
        var model = ConvNets.Standard(8, 2);
        model.OpsetImport.Single(o => o.Domain.Length == 0).Version = 21;
        model.IrVersion = 10;
        var (request, _) = GateAboveInt8(temp, model);
        var result = QuantizationJob.Run(request, new CollectingLog());

        CollectionAssert.AreEqual(new[] { "conv0" }, result.Report.Fallback!.Int16Layers.ToArray());
        var quantized = ModelLoader.Load(result.QuantizedModel);
        Assert.IsFalse(quantized.OpsetImport.Any(o => o.Domain == QdqModelBuilder.MicrosoftDomain));
        var zeroPoints = quantized.Graph.Node.Where(n => n.OpType == "QuantizeLinear").Select(n => n.Input[2]).ToHashSet(StringComparer.Ordinal);
        Assert.IsTrue(quantized.Graph.Initializer.Any(t => zeroPoints.Contains(t.Name) && t.DataType == DataTypes.UInt16));
        Assert.IsTrue(RunsOnOnnxRuntime(result.QuantizedModel));
    }

    [TestMethod]
    public void Sixteen_bit_factors_cover_the_whole_range_at_65536_levels()
    {
        var asymmetric = Int16ActivationParams.FromRange(-1, 3, ActivationMode.Asymmetric);
        Assert.AreEqual((float)(4 / 65535.0), asymmetric.Scale);
        Assert.AreEqual(16384, asymmetric.ZeroPoint, "round(1 / (4 / 65535)) = round(16383.75)");
        Assert.IsFalse(asymmetric.SignedStorage);
        var relu = Int16ActivationParams.FromRange(0, 6, ActivationMode.Asymmetric);
        Assert.AreEqual(0, relu.ZeroPoint, "a folded ReLU's negatives clamp to 0");
        var symmetric = Int16ActivationParams.FromRange(-2, 1, ActivationMode.Symmetric);
        Assert.AreEqual((float)(2 / 32767.0), symmetric.Scale);
        Assert.AreEqual(0, symmetric.ZeroPoint);
        Assert.IsTrue(symmetric.SignedStorage);
        Assert.AreEqual(DataTypes.Int16, symmetric.ZeroPointTensor("z").DataType);
        Assert.AreEqual(1f, Int16ActivationParams.FromRange(0, 0, ActivationMode.Asymmetric).Scale, "an all-zero tensor gets scale 1");
    }

    /// <summary>
    /// The request, with the model written and its spiky samples, and a MinSqnrDb gate 3 dB above what plain int8 gets
    /// (measured by a first job without a gate).
    /// </summary>
    private static (QuantizeRequest Request, double Int8Sqnr) GateAboveInt8(TempFolder temp, ModelProto model)
    {
        var path = temp.File("net.onnx");
        ModelBuilder.Write(model, path);
        var data = temp.File("net.npy");
        NpyWriter.Write(data, [16, 3, 16, 16], SpikySamples(16 * 3 * 16 * 16));
        var plain = new QuantizeRequest
        {
            ModelPath = path,
            CalibrationData = data,
            OutputDirectory = temp.File("plain"),
            QualityFloor = false,
            MeasureLatency = false,
        };
        var int8Sqnr = QuantizationJob.Run(plain, new CollectingLog()).Report.Evaluation!.Outputs[0].SqnrDb;
        return (plain with
        {
            OutputDirectory = temp.File("gated"),
            Gate = new GateThresholds { MinSqnrDb = Math.Round(int8Sqnr + 3, 2) },
            Int16Fallback = true, // off by default: on CPU it never measured faster than float
        }, int8Sqnr);
    }

    /// <summary>Values in [-1, 1] with one in 61 forty times larger: the spikes set the int8 range.</summary>
    private static float[] SpikySamples(int count)
    {
        var values = new float[count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(Math.Sin((0.013 * i) + (i % 7)) * (i % 61 == 0 ? 40 : 1));
        }
        return values;
    }

    /// <summary>ONNX Runtime opens the model and runs one sample of the net's input to finite outputs.</summary>
    private static bool RunsOnOnnxRuntime(string modelPath)
    {
        using var session = new InferenceSession(modelPath);
        using var input = OrtValue.CreateTensorValueFromMemory(SpikySamples(3 * 16 * 16), [1, 3, 16, 16]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, ["input"], [input], session.OutputNames);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray().All(float.IsFinite);
    }

    private static List<IJobStage> WithMeter(ILatencyMeter meter)
    {
        var stages = QuantizationJob.Stages();
        stages[stages.FindIndex(s => s.Name == "fallback")] = new FallbackStage(meter);
        stages[stages.FindIndex(s => s.Name == "speed")] = new SpeedStage(meter, SpeedStage.DefaultBudgetMs);
        stages[stages.FindIndex(s => s.Name == "latency")] = new LatencyStage(meter);
        return stages;
    }

    /// <summary>Times a model with 16-bit pairs at 1.5 ms and any other at 1 ms: the 16-bit step is the slower one.</summary>
    private sealed class SlowInt16Meter : ILatencyMeter
    {
        public bool SawSixteenBits { get; private set; }

        public LatencyReport Measure(ModelProto floatModel, ModelProto quantized, InputBatch batch, int threads, string source)
        {
            var (current, candidate) = (Cost(floatModel), Cost(quantized));
            return new LatencyReport(current, candidate, Math.Round(candidate / current, 3), 5, threads, batch.Count, null);
        }

        private double Cost(ModelProto model)
        {
            var wide = model.Graph.Node.Any(n => n.Domain == QdqModelBuilder.MicrosoftDomain);
            SawSixteenBits |= wide;
            return wide ? 1.5 : 1.0;
        }
    }
}
