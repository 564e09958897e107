using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Tests.Graph;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// Weighted layers that cannot have int8 activations become weight-only by default (<c>WeightOnlyFallback</c>): an
/// LSTM, and the layers of an If branch no calibration sample takes. Each model is built in code, quantized by the job,
/// run in ONNX Runtime and compared with the float model; the weights must be int8 in the file, not float.
/// </summary>
[TestClass]
public sealed class WeightOnlyFallbackTests
{
    private const int Sequence = 5;
    private const int Features = 4;
    private const int Hidden = 8;

    /// <summary>
    /// x [N, 5, 4] → Transpose → LSTM (hidden 8) → Y_h [1, N, 8] → Transpose → [N, 1, 8] → MatMul (head) → y [N, 1, 3].
    /// </summary>
    private static ModelProto LstmModel() => new ModelBuilder()
        .Input("x", DataTypes.Float, 16, Sequence, Features)
        .Output("y", DataTypes.Float, 16, 1, 3)
        .Initializer("W", [1, 4 * Hidden, Features], TestTensors.Values(4 * Hidden * Features, seed: 1, low: -0.6f, high: 0.6f))
        .Initializer("R", [1, 4 * Hidden, Hidden], TestTensors.Values(4 * Hidden * Hidden, seed: 2, low: -0.4f, high: 0.4f))
        .Initializer("B", [1, 8 * Hidden], TestTensors.Values(8 * Hidden, seed: 3, low: -0.1f, high: 0.1f))
        .Initializer("head", [Hidden, 3], TestTensors.Values(Hidden * 3, seed: 4))
        .Node("Transpose", ["x"], ["steps"], "to_steps", ModelBuilder.IntsAttribute("perm", 1, 0, 2))
        .Node("LSTM", ["steps", "W", "R", "B"], ["", "h"], "lstm", ModelBuilder.IntAttribute("hidden_size", Hidden))
        .Node("Transpose", ["h"], ["state"], "to_batch", ModelBuilder.IntsAttribute("perm", 1, 0, 2))
        .Node("MatMul", ["state", "head"], ["y"], "head_matmul")
        .Build();

    private static QuantizeResult Quantize(ModelProto model, TempFolder temp, long[] sampleShape, bool weightOnlyFallback = true)
    {
        var modelPath = Path.Combine(temp.Path, "model.onnx");
        ModelBuilder.Write(model, modelPath);
        var data = Path.Combine(temp.Path, "x.npy");
        var count = sampleShape.Aggregate(64L, (a, b) => a * b);
        NpyWriter.Write<float>(data, [64, .. sampleShape], TestTensors.Values((int)count, seed: 7));
        return QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; these models are tiny
            MeasureLatency = false,
            ModelPath = modelPath,
            CalibrationData = data,
            OutputDirectory = temp.Path,
            WeightOnlyFallback = weightOnlyFallback,
        }, new CollectingLog());
    }

    private static double Cosine(TensorProto expected, TensorProto actual)
    {
        var (e, a) = (TensorData.ToDoubles(expected), TensorData.ToDoubles(actual));
        var dot = e.Zip(a).Sum(p => p.First * p.Second);
        return dot / Math.Sqrt(e.Sum(v => v * v) * a.Sum(v => v * v));
    }

    private static IEnumerable<TensorProto> Initializers(ModelProto model) =>
        model.Graph.Initializer.Concat(model.Graph.Node.SelectMany(n => n.Attribute).Where(a => a.G is not null).SelectMany(a => a.G.Initializer));

    [TestMethod]
    public void An_lstm_gets_int8_w_and_r_per_gate_row_and_runs_in_onnx_runtime_close_to_float()
    {
        using var temp = new TempFolder();
        var result = Quantize(LstmModel(), temp, [Sequence, Features]);

        var lstm = result.Report.WeightOnly!.Single();
        Assert.AreEqual("lstm", lstm.Name);
        CollectionAssert.AreEqual(new[] { "W", "R" }, lstm.Weights.ToArray());
        Assert.AreEqual("per-channel", lstm.WeightGranularity);
        StringAssert.Contains(lstm.Reason, "recurrent");
        Assert.AreEqual("head_matmul", result.Report.Layers.Single().Name, "the head after it is full int8");
        Assert.IsFalse(result.Report.Skipped.Any(s => s.Name == "lstm"));

        var quantized = ModelLoader.Load(result.QuantizedModel);
        var initializers = quantized.Graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        Assert.IsFalse(initializers.ContainsKey("W") || initializers.ContainsKey("R"), "no float copy of W or R stays");
        Assert.AreEqual(DataTypes.Int8, initializers["W_quantized"].DataType);
        Assert.AreEqual(DataTypes.Int8, initializers["R_quantized"].DataType);
        Assert.AreEqual(DataTypes.Float, initializers["B"].DataType, "the bias stays float");
        var dequantizeW = quantized.Graph.Node.Single(n => n.OpType == "DequantizeLinear" && n.Input[0] == "W_quantized");
        Assert.AreEqual(1, dequantizeW.Attribute.Single(a => a.Name == "axis").I, "one scale per gate row");
        Assert.HasCount(4 * Hidden, TensorData.ToArray<float>(initializers[dequantizeW.Input[1]]));

        var input = TestTensors.Random("x", [16, Sequence, Features], seed: 9);
        var expected = OrtRunner.Run(LstmModel(), input).Single();
        var actual = OrtRunner.Run(quantized, optimized: true, input).Single();
        Assert.IsGreaterThanOrEqualTo(0.999, Cosine(expected, actual), "output cosine vs the float model");
    }

    [TestMethod]
    public void Without_the_weight_only_fallback_an_lstm_stays_float_saying_why()
    {
        using var temp = new TempFolder();
        var result = Quantize(LstmModel(), temp, [Sequence, Features], weightOnlyFallback: false);

        Assert.IsNull(result.Report.WeightOnly);
        StringAssert.Contains(result.Report.Skipped.Single(s => s.Name == "lstm").Reason, "recurrent");
        var initializers = ModelLoader.Load(result.QuantizedModel).Graph.Initializer;
        Assert.AreEqual(DataTypes.Float, initializers.Single(t => t.Name == "W").DataType);
    }

    /// <summary>
    /// x [16, 8] → Neg → MatMul (main) → y1, and an If on ReduceMax(x) &gt; <paramref name="threshold"/> whose branches each
    /// hold a MatMul (then: w_then, else: w_else) → y2.
    /// </summary>
    private static ModelProto IfModel(long opset, float threshold)
    {
        var thenBranch = new GraphProto { Name = "then" };
        thenBranch.Node.Add(new NodeProto { OpType = "MatMul", Name = "then_matmul", Input = { "x", "w_then" }, Output = { "t" } });
        thenBranch.Output.Add(TestTensors.UnshapedFloat("t"));
        var elseBranch = new GraphProto { Name = "else" };
        elseBranch.Node.Add(new NodeProto { OpType = "MatMul", Name = "else_matmul", Input = { "x", "w_else" }, Output = { "e" } });
        elseBranch.Output.Add(TestTensors.UnshapedFloat("e"));
        return new ModelBuilder(opset)
            .Input("x", DataTypes.Float, 16, 8)
            .Output("y1", DataTypes.Float, 16, 4)
            .Output("y2", DataTypes.Float, 16, 4)
            .Initializer("w_main", [8, 4], TestTensors.Values(32, seed: 1))
            .Initializer("w_then", [8, 4], TestTensors.Values(32, seed: 2))
            .Initializer("w_else", [8, 4], TestTensors.Values(32, seed: 3))
            .Initializer(TensorData.FromArray<float>("threshold", [], [threshold]))
            // Through a Neg: were x itself quantized for the main MatMul, the ReduceMax would read its clamped copy and
            // the int8 model would take another branch than the float one on data outside the calibration range.
            .Node("Neg", ["x"], ["negated"], "negate")
            .Node("MatMul", ["negated", "w_main"], ["y1"], "main_matmul")
            .Node("ReduceMax", ["x"], ["max"], "max", ModelBuilder.IntAttribute("keepdims", 0))
            .Node("Greater", ["max", "threshold"], ["cond"], "greater")
            .Node("If", ["cond"], ["y2"], "if", ModelBuilder.GraphAttribute("then_branch", thenBranch),
                ModelBuilder.GraphAttribute("else_branch", elseBranch))
            .Build();
    }

    private static GraphProto Branch(ModelProto model, string attribute) =>
        model.Graph.Node.Single(n => n.OpType == "If").Attribute.Single(a => a.Name == attribute).G;

    /// <summary>
    /// The calibration data (values in [-1, 1)) never exceeds the threshold 10, so only the else branch is calibrated:
    /// its MatMul is full int8, the then branch's weight-only. Data scaled by 20 takes the then branch, which must
    /// then run on its int8 weight close to the float model.
    /// </summary>
    [TestMethod]
    public void The_layers_of_a_branch_no_sample_takes_are_weight_only_and_run_when_taken()
    {
        using var temp = new TempFolder();
        var result = Quantize(IfModel(13, threshold: 10f), temp, [8]);

        var thenMatMul = result.Report.WeightOnly!.Single();
        Assert.AreEqual("then_matmul", thenMatMul.Name);
        StringAssert.Contains(thenMatMul.Reason, "no calibration sample took");
        CollectionAssert.AreEquivalent(new[] { "main_matmul", "else_matmul" }, result.Report.Layers.Select(l => l.Name).ToList());
        Assert.IsEmpty(result.Report.Skipped);

        var quantized = ModelLoader.Load(result.QuantizedModel);
        var then = Branch(quantized, "then_branch");
        Assert.IsTrue(then.Initializer.Any(t => t.DataType == DataTypes.Int8), "the then branch holds its int8 weight");
        Assert.IsFalse(then.Node.Any(n => n.OpType == "QuantizeLinear"), "its activations stay float");
        Assert.IsFalse(Initializers(quantized).Any(t => t.Name is "w_then" or "w_else" && t.DataType == DataTypes.Float),
            "no float copy of a branch weight stays");

        var large = TestTensors.Random("x", [16, 8], seed: 5, low: -20f, high: 20f);
        var expected = OrtRunner.Run(IfModel(13, threshold: 10f), large);
        var actual = OrtRunner.Run(quantized, optimized: true, large);
        Assert.IsGreaterThanOrEqualTo(0.999, Cosine(expected[1], actual[1]), "the then branch's output (weight-only) vs float");
        var small = TestTensors.Random("x", [16, 8], seed: 6);
        Assert.IsGreaterThanOrEqualTo(0.99, Cosine(OrtRunner.Run(IfModel(13, threshold: 10f), small)[1],
            OrtRunner.Run(quantized, optimized: true, small)[1]), "the else branch's output (int8) vs float");
    }

    /// <summary>
    /// The same If model exported at opset 11 (as Silero VAD's first release was) is upgraded to 13 with its branches,
    /// and quantized: the taken branch int8, the untaken one weight-only, the main graph int8.
    /// </summary>
    [TestMethod]
    public void An_opset_11_model_with_an_if_is_upgraded_and_quantized_with_its_branches()
    {
        using var temp = new TempFolder();
        var result = Quantize(IfModel(11, threshold: -1e9f), temp, [8]);

        Assert.AreEqual(11L, result.Report.Preparation.UpgradedFromOpset);
        CollectionAssert.AreEquivalent(new[] { "main_matmul", "then_matmul" }, result.Report.Layers.Select(l => l.Name).ToList());
        Assert.AreEqual("else_matmul", result.Report.WeightOnly!.Single().Name);
        var quantized = ModelLoader.Load(result.QuantizedModel);
        Assert.IsTrue(Branch(quantized, "then_branch").Node.Any(n => n.OpType == "QuantizeLinear"), "the taken branch is int8");

        var input = TestTensors.Random("x", [16, 8], seed: 8);
        var expected = OrtRunner.Run(IfModel(11, threshold: -1e9f), input);
        var actual = OrtRunner.Run(quantized, optimized: true, input);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.IsGreaterThanOrEqualTo(0.99, Cosine(expected[i], actual[i]), $"output {i} vs the float opset-11 model");
        }
    }
}
