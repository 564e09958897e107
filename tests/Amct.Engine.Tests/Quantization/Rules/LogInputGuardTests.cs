using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

/// <summary>
/// A weighted layer whose output a Log takes (a mel filterbank before a log-mel spectrogram) keeps float activations:
/// weight-only (int8 weights, float compute) by default, float with the weight-only fallback off.
/// </summary>
[TestClass]
public sealed class LogInputGuardTests
{
    /// <summary>X [2,8] → MatMul (W) → M → <paramref name="between"/> → Log or Sigmoid → Y.</summary>
    private static ModelProto Model(string between, string last)
    {
        var builder = new ModelBuilder()
            .Input("X", DataTypes.Float, 2, 8)
            .Output("Y", DataTypes.Float, 2, 4)
            .Initializer("W", [8, 4], Pattern(32))
            .Initializer(TensorData.FromArray<float>("floor", [], [1e-10f]))
            .Node("MatMul", ["X", "W"], ["M"], "matmul");
        return between == "Clip"
            ? builder.Node("Clip", ["M", "floor"], ["C"], "clip").Node(last, ["C"], ["Y"], "last").Build()
            : builder.Node(last, ["M"], ["Y"], "last").Build();
    }

    [TestMethod]
    public void A_matmul_clamped_into_a_log_is_weight_only()
    {
        var plan = PlanBuilder.Plan(Model("Clip", "Log").Graph, new PlanOptions());

        Assert.IsEmpty(plan.Layers);
        Assert.IsEmpty(plan.QuantizedTensors);
        Assert.IsEmpty(plan.Skipped);
        var weightOnly = plan.WeightOnly.Single();
        Assert.AreEqual("matmul", weightOnly.Name);
        Assert.AreEqual(new WeightOnlyWeight("W", 1, 1), weightOnly.Weights.Single(), "the weight, per output column");
        StringAssert.Contains(weightOnly.Reason, "reaches Log 'last'");
    }

    [TestMethod]
    public void Without_the_weight_only_fallback_a_matmul_clamped_into_a_log_stays_float()
    {
        var plan = PlanBuilder.Plan(Model("Clip", "Log").Graph, new PlanOptions { WeightOnlyFallback = false });

        Assert.IsEmpty(plan.Layers);
        Assert.IsEmpty(plan.WeightOnly);
        var skipped = plan.Skipped.Single();
        Assert.AreEqual("matmul", skipped.Name);
        StringAssert.Contains(skipped.Reason, "reaches Log 'last'");
    }

    [TestMethod]
    public void A_matmul_skipped_by_name_before_a_log_stays_float()
    {
        var plan = PlanBuilder.Plan(Model("Clip", "Log").Graph,
            new PlanOptions { SkipLayers = new HashSet<string>(["matmul"], StringComparer.Ordinal) });

        Assert.IsEmpty(plan.WeightOnly);
        Assert.AreEqual("skipped by name", plan.Skipped.Single().Reason);
    }

    [TestMethod]
    public void A_matmul_read_by_a_log_directly_keeps_float_activations()
    {
        var plan = PlanBuilder.Plan(Model("", "Log").Graph, new PlanOptions());

        Assert.IsEmpty(plan.Layers);
        Assert.AreEqual("matmul", plan.WeightOnly.Single().Name);
    }

    /// <summary>X → STFT-like MatMul → Pow 2 → mel MatMul → Clip → Log → scale MatMul → Y: both before the Log are weight-only.</summary>
    [TestMethod]
    public void Every_linear_layer_before_the_log_is_weight_only_and_the_one_after_is_quantized()
    {
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 2, 8)
            .Output("Y", DataTypes.Float, 2, 4)
            .Initializer("stft", [8, 6], Pattern(48))
            .Initializer("mel", [6, 4], Pattern(24, phase: 1))
            .Initializer("after", [4, 4], Pattern(16, phase: 2))
            .Initializer(TensorData.FromArray<float>("two", [], [2f]))
            .Initializer(TensorData.FromArray<float>("floor", [], [1e-10f]))
            .Node("MatMul", ["X", "stft"], ["S"], "stft_matmul")
            .Node("Pow", ["S", "two"], ["P"], "pow")
            .Node("MatMul", ["P", "mel"], ["M"], "mel_matmul")
            .Node("Clip", ["M", "floor"], ["C"], "clip")
            .Node("Log", ["C"], ["L"], "log")
            .Node("MatMul", ["L", "after"], ["Y"], "after_matmul")
            .Build();

        var plan = PlanBuilder.Plan(model.Graph, new PlanOptions());

        Assert.AreEqual("after_matmul", plan.Layers.Single().Name);
        CollectionAssert.AreEquivalent(new[] { "stft_matmul", "mel_matmul" }, plan.WeightOnly.Select(s => s.Name).ToList());
        Assert.IsEmpty(plan.Skipped);
        CollectionAssert.AreEquivalent(new[] { "L" }, plan.QuantizedTensors.ToList(), "only the Log's output, the int8 layer's input");
    }

    /// <summary>X, Z → Add (both activations: QLinearAdd) → Log → Y: the Add stays on float data.</summary>
    [TestMethod]
    public void An_add_of_activations_before_a_log_stays_float()
    {
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 2, 8)
            .Input("Z", DataTypes.Float, 2, 8)
            .Output("Y", DataTypes.Float, 2, 8)
            .Node("Add", ["X", "Z"], ["A"], "add")
            .Node("Log", ["A"], ["Y"], "log")
            .Build();

        Assert.IsEmpty(PlanBuilder.Plan(model.Graph, new PlanOptions()).QuantizedTensors);
    }

    /// <summary>
    /// X → MatMul → S → Pow 2 → P; P → Clip → Log → L; Concat(P, L) → K → MatMul → Y (Silero VAD's front end: the STFT
    /// magnitude goes both into the log spectrum and, concatenated with it, into the first convolution). A Concat
    /// shares one scale with all its inputs, which once quantized P, and its Q/DQ pair then fed the Log's side too.
    /// </summary>
    [TestMethod]
    public void A_tensor_the_log_reads_is_not_quantized_for_a_concat_that_also_reads_it()
    {
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 2, 8)
            .Output("Y", DataTypes.Float, 2, 4)
            .Initializer("stft", [8, 6], Pattern(48))
            .Initializer("after", [12, 4], Pattern(48, phase: 2))
            .Initializer(TensorData.FromArray<float>("two", [], [2f]))
            .Initializer(TensorData.FromArray<float>("floor", [], [1e-10f]))
            .Node("MatMul", ["X", "stft"], ["S"], "stft_matmul")
            .Node("Pow", ["S", "two"], ["P"], "pow")
            .Node("Clip", ["P", "floor"], ["C"], "clip")
            .Node("Log", ["C"], ["L"], "log")
            .Node("Concat", ["P", "L"], ["K"], "concat", IntAttribute("axis", 1))
            .Node("MatMul", ["K", "after"], ["Y"], "after_matmul")
            .Build();

        var plan = PlanBuilder.Plan(model.Graph, new PlanOptions());

        Assert.AreEqual("after_matmul", plan.Layers.Single().Name);
        CollectionAssert.AreEquivalent(new[] { "K" }, plan.QuantizedTensors.ToList(),
            "the Concat stays float and only the int8 layer's input is quantized, so the Log's side reads float P");
    }

    /// <summary>Weight-only quantization keeps every activation float, so the layers before the Log get int8 weights too.</summary>
    [TestMethod]
    public void Weight_only_quantizes_the_layers_before_a_log_and_no_tensor()
    {
        var plan = PlanBuilder.Plan(Model("Clip", "Log").Graph, new PlanOptions { Activation = ActivationMode.None });

        Assert.AreEqual("matmul", plan.Layers.Single().Name);
        Assert.IsEmpty(plan.QuantizedTensors);
        Assert.IsEmpty(plan.Skipped);
    }

    [TestMethod]
    public void A_matmul_followed_by_other_ops_is_quantized()
    {
        Assert.AreEqual("matmul", PlanBuilder.Plan(Model("Clip", "Sigmoid").Graph, new PlanOptions()).Layers.Single().Name);
    }
}
