using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

[TestClass]
public sealed class MatMulRuleTests
{
    /// <summary>X [2,8] → MatMul (W) → M → Sigmoid → Y.</summary>
    private static ModelProto MatMul(params long[] weightDims) => new ModelBuilder()
        .Input("X", DataTypes.Float, 2, 8)
        .Output("Y", DataTypes.Float, 2, 4)
        .Initializer("W", weightDims, Pattern(weightDims.Aggregate(1L, (a, b) => a * b)))
        .Node("MatMul", ["X", "W"], ["M"], "matmul")
        .Node("Sigmoid", ["M"], ["Y"], "sigmoid")
        .Build();

    [TestMethod]
    public void Constant_B_is_scaled_per_column_and_fuses_into_QLinearMatMul()
    {
        var result = RuleHarness.Quantize(MatMul(8, 4));

        var layer = result.Plan.Layers.Single();
        Assert.AreEqual(("X", "W", null, 1), (layer.ActivationInput, layer.Weight, layer.Bias, layer.WeightAxis));
        CollectionAssert.AreEqual(new[] { "X", "M" }, result.Plan.QuantizedTensors.ToList());
        result.AssertRunsAs("QLinearMatMul", "MatMul");
    }

    [TestMethod]
    public void MatMul_weights_follow_their_own_granularity_setting()
    {
        var result = RuleHarness.Quantize(MatMul(8, 4), new PlanOptions { MatMulWeights = WeightGranularity.PerTensor });
        Assert.IsNull(result.Plan.Layers.Single().WeightAxis);
    }

    [TestMethod]
    public void A_batched_weight_keeps_the_layer_float()
    {
        var plan = PlanBuilder.Plan(MatMul(1, 8, 4).Graph, new PlanOptions());
        Assert.IsEmpty(plan.Layers);
        Assert.AreEqual("its constant input B is not 2-D", plan.Skipped.Single().Reason);
    }
}
