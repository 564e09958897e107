using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

[TestClass]
public sealed class ActivationFoldRuleTests
{
    /// <summary>X [1,2,4,4] → Conv → C → activation → R → Sigmoid → Y.</summary>
    private static ModelProto ConvThen(string activation, params string[] extraInputs)
    {
        var builder = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 2, 4, 4)
            .Output("Y", DataTypes.Float, 1, 3, 4, 4)
            .Initializer("W", [3, 2, 1, 1], Pattern(6, scale: 1))
            .Initializer("lo", [], [0f])
            .Initializer("neg", [], [-1f])
            .Initializer("six", [], [6f]);
        return builder
            .Node("Conv", ["X", "W"], ["C"], "conv")
            .Node(activation, ["C", .. extraInputs], ["R"], "act")
            .Node("Sigmoid", ["R"], ["Y"], "sigmoid")
            .Build();
    }

    [TestMethod]
    [DataRow("Relu", new string[0])]
    [DataRow("Clip", new[] { "lo", "six" })]
    public void Relu_and_clip_at_zero_fold_into_the_producers_output_range(string activation, string[] bounds)
    {
        var result = RuleHarness.Quantize(ConvThen(activation, bounds));

        var fold = result.Plan.Folds.Single();
        Assert.AreEqual(("act", "C", "R"), (fold.Node, fold.ProducerOutput, fold.Output));
        CollectionAssert.AreEqual(new[] { "X", "R" }, result.Plan.QuantizedTensors.ToList());
        result.AssertRunsAs("QLinearConv", activation);
    }

    [TestMethod]
    public void A_clip_below_zero_stays_and_its_output_is_quantized()
    {
        var result = RuleHarness.Quantize(ConvThen("Clip", "neg", "six"));

        Assert.IsEmpty(result.Plan.Folds);
        CollectionAssert.AreEqual(new[] { "X", "C", "R" }, result.Plan.QuantizedTensors.ToList());
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }

    [TestMethod]
    public void Symmetric_activations_keep_the_relu_because_their_range_does_not_clip_at_zero()
    {
        var result = RuleHarness.Quantize(ConvThen("Relu"), new PlanOptions { Activation = ActivationMode.Symmetric });

        Assert.IsEmpty(result.Plan.Folds);
        CollectionAssert.AreEqual(new[] { "X", "C", "R" }, result.Plan.QuantizedTensors.ToList());
    }

    [TestMethod]
    public void A_relu_whose_output_is_the_graph_output_stays_because_no_quantizer_would_clamp_there()
    {
        // X → Conv → C → Relu → Y (a backbone's feature map): Y is not quantized, so the Relu is the only clamp.
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 2, 4, 4)
            .Output("Y", DataTypes.Float, 1, 3, 4, 4)
            .Initializer("W", [3, 2, 1, 1], Pattern(6, scale: 1))
            .Node("Conv", ["X", "W"], ["C"], "conv")
            .Node("Relu", ["C"], ["Y"], "act")
            .Build();

        var result = RuleHarness.Quantize(model);

        Assert.IsEmpty(result.Plan.Folds);
        CollectionAssert.AreEqual(new[] { "X", "C" }, result.Plan.QuantizedTensors.ToList());
        Assert.AreEqual(1, result.Model.Graph.Node.Count(n => n.OpType == "Relu"), "the Relu is still in the graph");
        Assert.IsGreaterThan(30.0, result.OutputSqnrDb);
    }
}
