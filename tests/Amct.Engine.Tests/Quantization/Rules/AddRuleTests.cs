using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Rules;

[TestClass]
public sealed class AddRuleTests
{
    [TestMethod]
    public void Two_activations_and_the_sum_get_their_own_factors_and_fuse_into_QLinearAdd()
    {
        var model = new ModelBuilder()
            .Input("A", DataTypes.Float, 1, 16)
            .Input("B", DataTypes.Float, 1, 16)
            .Output("Y", DataTypes.Float, 1, 16)
            .Node("Add", ["A", "B"], ["S"], "add")
            .Node("Sigmoid", ["S"], ["Y"], "sigmoid")
            .Build();
        var result = RuleHarness.Quantize(model);

        CollectionAssert.AreEqual(new[] { "A", "B", "S" }, result.Plan.QuantizedTensors.ToList());
        Assert.HasCount(3, result.Plan.Groups, "no shared factors");
        Assert.IsEmpty(result.Plan.Layers);
        result.AssertRunsAs("QLinearAdd", "Add");
    }

    [TestMethod]
    public void An_add_of_a_constant_stays_float()
    {
        var model = new ModelBuilder()
            .Input("A", DataTypes.Float, 1, 4)
            .Output("Y", DataTypes.Float, 1, 4)
            .Initializer("B", [1, 4], [1f, 2f, 3f, 4f])
            .Node("Add", ["A", "B"], ["S"], "add")
            .Node("Sigmoid", ["S"], ["Y"], "sigmoid")
            .Build();
        Assert.IsEmpty(PlanBuilder.Plan(model.Graph, new PlanOptions()).QuantizedTensors);
    }
}
