using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

[TestClass]
public sealed class ConcatRuleTests
{
    /// <summary>X [1,2,4,4] → Conv (4 channels) → C1; Concat(C1, X2) → J → Sigmoid → Y.</summary>
    private static ModelProto ConvAndConcat() => new ModelBuilder()
        .Input("X", DataTypes.Float, 1, 2, 4, 4)
        .Input("X2", DataTypes.Float, 1, 3, 4, 4)
        .Output("Y", DataTypes.Float, 1, 7, 4, 4)
        .Initializer("W", [4, 2, 1, 1], Pattern(8))
        .Node("Conv", ["X", "W"], ["C1"], "conv")
        .Node("Concat", ["C1", "X2"], ["J"], "concat", IntAttribute("axis", 1))
        .Node("Sigmoid", ["J"], ["Y"], "sigmoid")
        .Build();

    [TestMethod]
    public void Inputs_and_output_share_one_set_of_factors_so_int8_data_is_copied()
    {
        var result = RuleHarness.Quantize(ConvAndConcat());

        CollectionAssert.AreEquivalent(new[] { "C1", "X2", "J" }, result.GroupOf("J").ToList());
        Assert.IsFalse(result.Plan.ObservedTensors.Contains("J"), "the output's range is the union of the inputs'");
        Assert.AreEqual(1, result.Fused("QLinearConv"), result.Summary);
        // No requantizing between the conv and the concatenation: one DequantizeLinear, before the float Sigmoid.
        Assert.AreEqual(1, result.Fused("DequantizeLinear"), result.Summary);
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }

    [TestMethod]
    public void A_float_producer_keeps_the_whole_concat_float()
    {
        var result = RuleHarness.Quantize(ConvAndConcat(), new PlanOptions { SkipLayers = new HashSet<string> { "conv" } });

        Assert.IsEmpty(result.Plan.QuantizedTensors);
        Assert.AreEqual(1, result.Fused("Concat"), result.Summary);
        Assert.IsFalse(result.FusedOps.ContainsKey("QuantizeLinear"), result.Summary);
    }
}
