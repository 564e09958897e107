using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

[TestClass]
public sealed class ConvRuleTests
{
    /// <summary>X [1,2,6,6] → Conv (W [4,2,3,3], B [4], same padding) → C → Sigmoid → Y.</summary>
    private static ModelProto Conv(string weight = "W") => new ModelBuilder()
        .Input("X", DataTypes.Float, 1, 2, 6, 6)
        .Output("Y", DataTypes.Float, 1, 4, 6, 6)
        .Initializer("W", [4, 2, 3, 3], Pattern(72))
        .Initializer("B", [4], [0.1f, -0.2f, 0.3f, 0f])
        .Node("Conv", ["X", weight, "B"], ["C"], "conv", IntsAttribute("pads", 1, 1, 1, 1))
        .Node("Sigmoid", ["C"], ["Y"], "sigmoid")
        .Build();

    [TestMethod]
    public void Input_weight_bias_and_output_are_quantized_and_fuse_into_QLinearConv()
    {
        var result = RuleHarness.Quantize(Conv());

        var layer = result.Plan.Layers.Single();
        Assert.AreEqual(("conv", "X", "W", "B", 0), (layer.Name, layer.ActivationInput, layer.Weight, layer.Bias, layer.WeightAxis));
        CollectionAssert.AreEqual(new[] { "X", "C" }, result.Plan.QuantizedTensors.ToList());
        Assert.HasCount(2, result.Plan.Groups);
        Assert.IsEmpty(result.Plan.Folds);
        result.AssertRunsAs("QLinearConv", "Conv");
    }

    [TestMethod]
    public void Per_tensor_setting_gives_one_weight_scale()
    {
        var result = RuleHarness.Quantize(Conv(), new PlanOptions { ConvWeights = WeightGranularity.PerTensor });
        Assert.IsNull(result.Plan.Layers.Single().WeightAxis);
        Assert.AreEqual(1, result.Fused("QLinearConv"), result.Summary);
    }

    [TestMethod]
    public void A_weight_computed_at_run_time_keeps_the_layer_float()
    {
        var model = Conv(weight: "Wx");
        model.Graph.Input.Add(Value("Wx", DataTypes.Float, [4, 2, 3, 3]));
        var plan = PlanBuilder.Plan(model.Graph, new PlanOptions());
        Assert.IsEmpty(plan.Layers);
        Assert.AreEqual("its weight is not a constant", plan.Skipped.Single().Reason);
        Assert.IsEmpty(plan.QuantizedTensors);
    }

    /// <summary>X [1,C_in,4,4] → ConvTranspose (stride 2, W [C_in, C_out/group, 2, 2], B) → C → Sigmoid → Y.</summary>
    private static ModelProto ConvTranspose(long inputs, long outputsPerGroup, long group)
    {
        var outputs = outputsPerGroup * group;
        return new ModelBuilder()
            .Input("X", DataTypes.Float, 1, inputs, 4, 4)
            .Output("Y", DataTypes.Float, 1, outputs, 8, 8)
            .Initializer("W", [inputs, outputsPerGroup, 2, 2], Pattern(inputs * outputsPerGroup * 4))
            .Initializer("B", [outputs], Pattern(outputs, scale: 0.2))
            .Node("ConvTranspose", ["X", "W", "B"], ["C"], "deconv", IntsAttribute("strides", 2, 2), IntAttribute("group", group))
            .Node("Sigmoid", ["C"], ["Y"], "sigmoid")
            .Build();
    }

    [TestMethod]
    public void ConvTranspose_weights_are_scaled_per_output_channel_on_axis_1()
    {
        var result = RuleHarness.Quantize(ConvTranspose(inputs: 2, outputsPerGroup: 3, group: 1));

        var layer = result.Plan.Layers.Single();
        Assert.AreEqual((1, "B"), (layer.WeightAxis, layer.Bias));
        CollectionAssert.AreEqual(new[] { "X", "C" }, result.Plan.QuantizedTensors.ToList());
        // ONNX Runtime's CPU provider has no QDQ ConvTranspose fusion (per channel or per tensor, uint8 or int8
        // activations): it runs DQ → float ConvTranspose → Q. This fails, as a reminder to revisit, once it fuses.
        Assert.AreEqual(1, result.Fused("ConvTranspose"), result.Summary);
        Assert.AreEqual(0, result.Fused("QLinearConvTranspose"), result.Summary);
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }

    [TestMethod]
    public void Grouped_ConvTranspose_weights_get_one_scale_because_no_axis_lists_the_output_channels()
    {
        // Group 2: four output channels, but the weight's axis 1 has only two entries.
        var result = RuleHarness.Quantize(ConvTranspose(inputs: 4, outputsPerGroup: 2, group: 2));

        var layer = result.Plan.Layers.Single();
        Assert.AreEqual((null, "B"), (layer.WeightAxis, layer.Bias));
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }
}
