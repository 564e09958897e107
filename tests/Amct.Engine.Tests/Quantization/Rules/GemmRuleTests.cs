using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

[TestClass]
public sealed class GemmRuleTests
{
    [TestMethod]
    public void TransB_weight_is_scaled_per_row_and_the_logits_stay_float()
    {
        var result = RuleHarness.Quantize(ModelBuilder.Gemm(inputs: 8, outputs: 4));

        var layer = result.Plan.Layers.Single();
        Assert.AreEqual(("X", "W", "B", 0), (layer.ActivationInput, layer.Weight, layer.Bias, layer.WeightAxis));
        // A graph output is not quantized: QGemm writes float logits directly.
        CollectionAssert.AreEqual(new[] { "X" }, result.Plan.QuantizedTensors.ToList());
        result.AssertRunsAs("QGemm", "Gemm");
    }

    /// <summary>X [1,4] → Gemm (B [4,3] or computed, C [3], alpha 0.5, beta 2) → G → Sigmoid → Y.</summary>
    private static ModelProto ScaledGemm(bool constantNodeB = false)
    {
        var builder = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 4)
            .Output("Y", DataTypes.Float, 1, 3)
            .Initializer("C", [3], [0.5f, -0.25f, 0f]);
        builder = constantNodeB
            ? builder.Node("Constant", [], ["B"], "b", TensorAttribute("value", TensorData.FromArray<float>("B", [4, 3], Pattern(12))))
            : builder.Initializer("B", [4, 3], Pattern(12));
        return builder
            .Node("Gemm", ["X", "B", "C"], ["G"], "fc", FloatAttribute("alpha", 0.5f), FloatAttribute("beta", 2f))
            .Node("Sigmoid", ["G"], ["Y"], "sigmoid")
            .Build();
    }

    [TestMethod]
    public void Alpha_and_beta_are_folded_into_B_and_C_and_B_is_scaled_per_column()
    {
        var result = RuleHarness.Quantize(ScaledGemm());

        var layer = result.Plan.Layers.Single();
        Assert.AreEqual(("B", "C", 1), (layer.Weight, layer.Bias, layer.WeightAxis));
        CollectionAssert.AreEqual(new[] { "X", "G" }, result.Plan.QuantizedTensors.ToList());
        var gemm = result.Model.Graph.Node.Single(n => n.OpType == "Gemm");
        Assert.IsFalse(gemm.Attribute.Any(a => a.Name is "alpha" or "beta"), "the scales are in the weights now");
        Assert.AreEqual(1, result.Fused("QGemm"), result.Summary);
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }

    [TestMethod]
    public void A_scale_that_cannot_be_folded_keeps_the_layer_float()
    {
        // B comes from a Constant node, which the fold does not rewrite: dropping alpha would change the result.
        var result = RuleHarness.Quantize(ScaledGemm(constantNodeB: true));

        Assert.IsEmpty(result.Plan.Layers);
        StringAssert.Contains(result.Plan.Skipped.Single().Reason, "alpha or beta");
        Assert.IsEmpty(result.Plan.QuantizedTensors);
        Assert.IsGreaterThan(100.0, result.OutputSqnrDb, "the float Gemm computes what it did");
    }
}
