using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

[TestClass]
public sealed class PoolRuleTests
{
    /// <summary>X [1,2,4,4] → Conv → C → pool → P → Sigmoid → Y.</summary>
    private static ModelProto ConvThenPool(string pool, long[] pooledShape, params AttributeProto[] attributes) => new ModelBuilder()
        .Input("X", DataTypes.Float, 1, 2, 4, 4)
        .Output("Y", DataTypes.Float, pooledShape)
        .Initializer("W", [3, 2, 1, 1], Pattern(6))
        .Node("Conv", ["X", "W"], ["C"], "conv")
        .Node(pool, ["C"], ["P"], "pool", attributes)
        .Node("Sigmoid", ["P"], ["Y"], "sigmoid")
        .Build();

    [TestMethod]
    public void AveragePool_after_an_int8_conv_gets_its_own_output_factors()
    {
        var result = RuleHarness.Quantize(ConvThenPool("AveragePool", [1, 3, 2, 2], IntsAttribute("kernel_shape", 2, 2), IntsAttribute("strides", 2, 2)));

        CollectionAssert.AreEqual(new[] { "X", "C", "P" }, result.Plan.QuantizedTensors.ToList());
        Assert.HasCount(1, result.GroupOf("P"), "averaging makes a new range");
        Assert.AreEqual(1, result.Fused("QLinearAveragePool"), result.Summary);
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }

    [TestMethod]
    public void GlobalAveragePool_fuses_into_QLinearGlobalAveragePool()
    {
        var result = RuleHarness.Quantize(ConvThenPool("GlobalAveragePool", [1, 3, 1, 1]));

        CollectionAssert.AreEqual(new[] { "X", "C", "P" }, result.Plan.QuantizedTensors.ToList());
        Assert.AreEqual(1, result.Fused("QLinearGlobalAveragePool"), result.Summary);
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }

    [TestMethod]
    public void A_pool_on_float_data_stays_float()
    {
        var plan = PlanBuilder.Plan(ConvThenPool("GlobalAveragePool", [1, 3, 1, 1]).Graph,
            new PlanOptions { SkipLayers = new HashSet<string> { "conv" } });
        Assert.IsEmpty(plan.QuantizedTensors);
    }
}
