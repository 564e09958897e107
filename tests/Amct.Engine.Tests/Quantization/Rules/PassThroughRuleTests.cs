using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

[TestClass]
public sealed class PassThroughRuleTests
{
    /// <summary>X [1,2,4,4] → Conv → C → MaxPool (2×2) → M → Sigmoid → Y, optionally with MaxPool's indices output.</summary>
    private static ModelProto ConvThenMaxPool(bool indices = false) => new ModelBuilder()
        .Input("X", DataTypes.Float, 1, 2, 4, 4)
        .Output("Y", DataTypes.Float, 1, 3, 2, 2)
        .Initializer("W", [3, 2, 1, 1], Pattern(6))
        .Node("Conv", ["X", "W"], ["C"], "conv")
        .Node("MaxPool", ["C"], indices ? ["M", "I"] : ["M"], "pool", IntsAttribute("kernel_shape", 2, 2), IntsAttribute("strides", 2, 2))
        .Node("Sigmoid", ["M"], ["Y"], "sigmoid")
        .Build();

    [TestMethod]
    public void MaxPool_shares_its_inputs_factors_and_runs_on_int8_data()
    {
        var result = RuleHarness.Quantize(ConvThenMaxPool());

        CollectionAssert.AreEquivalent(new[] { "C", "M" }, result.GroupOf("M").ToList());
        CollectionAssert.AreEqual(new[] { "X", "C" }, result.Plan.ObservedTensors.ToList(), "M's range is C's");
        // ONNX Runtime runs a uint8 MaxPool in NHWC layout (with Transposes around it).
        Assert.AreEqual(1, result.Fused("MaxPool") + result.Fused("NhwcMaxPool"), result.Summary);
        // int8 from the conv to the Sigmoid: the only DequantizeLinear is the one before it.
        Assert.AreEqual(1, result.Fused("DequantizeLinear"), result.Summary);
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }

    [TestMethod]
    public void MaxPool_with_indices_is_left_alone()
    {
        var plan = PlanBuilder.Plan(ConvThenMaxPool(indices: true).Graph, new PlanOptions());
        Assert.IsFalse(plan.QuantizedTensors.Contains("M"));
    }

    [TestMethod]
    public void Reshape_output_shares_factors_with_its_input()
    {
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 2, 4, 4)
            .Output("Y", DataTypes.Float, 1, 48)
            .Initializer("W", [3, 2, 1, 1], Pattern(6))
            .Initializer(TensorData.FromArray<long>("shape", [2], [1, 48]))
            .Node("Conv", ["X", "W"], ["C"], "conv")
            .Node("Reshape", ["C", "shape"], ["F"], "reshape")
            .Node("Sigmoid", ["F"], ["Y"], "sigmoid")
            .Build();
        var result = RuleHarness.Quantize(model);

        CollectionAssert.AreEquivalent(new[] { "C", "F" }, result.GroupOf("F").ToList());
        Assert.AreEqual(1, result.Fused("Reshape"), result.Summary);
        Assert.AreEqual(1, result.Fused("DequantizeLinear"), result.Summary);
    }
}
