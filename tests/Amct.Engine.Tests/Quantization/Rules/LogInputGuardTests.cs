using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Quantization.Rules;

/// <summary>A weighted layer whose output a Log takes (a mel filterbank before a log-mel spectrogram) stays float.</summary>
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
    public void A_matmul_clamped_into_a_log_stays_float()
    {
        var plan = PlanBuilder.Plan(Model("Clip", "Log").Graph, new PlanOptions());

        Assert.IsEmpty(plan.Layers);
        var skipped = plan.Skipped.Single();
        Assert.AreEqual("matmul", skipped.Name);
        StringAssert.Contains(skipped.Reason, "reaches Log 'last'");
    }

    [TestMethod]
    public void A_matmul_read_by_a_log_directly_stays_float()
    {
        Assert.IsEmpty(PlanBuilder.Plan(Model("", "Log").Graph, new PlanOptions()).Layers);
    }

    [TestMethod]
    public void A_matmul_followed_by_other_ops_is_quantized()
    {
        Assert.AreEqual("matmul", PlanBuilder.Plan(Model("Clip", "Sigmoid").Graph, new PlanOptions()).Layers.Single().Name);
    }
}
