using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Balancing;
using Amct.Engine.Tests.Graph;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Balancing;

/// <summary>
/// The balanced float graph computes what the float model computes (in ONNX Runtime, before any quantization), whether
/// the division by s is folded into the producer or a Mul is inserted.
/// </summary>
[TestClass]
public sealed class DmqBalancerTests
{
    [TestMethod]
    public void Folding_through_Relu_and_the_bias_Add_into_the_MatMul_keeps_the_outputs_and_adds_no_node()
    {
        var model = DmqModels.OutlierMlp();
        var balanced = Balance(model, "h", out var result);

        Assert.AreEqual("folded into 'fc1' (MatMul)", result.Placement);
        Assert.IsNull(result.InsertedNode);
        Assert.HasCount(model.Graph.Node.Count, balanced.Graph.Node);
        AssertSameOutputs(model, balanced, DmqModels.Samples(32));
    }

    [TestMethod]
    public void An_activation_that_is_also_a_graph_output_gets_a_Mul_and_both_outputs_are_kept()
    {
        var model = DmqModels.OutlierMlp(hiddenIsOutput: true);
        var balanced = Balance(model, "h", out var result);

        Assert.IsNotNull(result.InsertedNode);
        Assert.AreEqual("Mul", balanced.Graph.Node.Single(n => n.Name == result.InsertedNode).OpType);
        AssertSameOutputs(model, balanced, DmqModels.Samples(32));
    }

    [TestMethod]
    public void Folding_into_the_previous_Conv_keeps_the_outputs()
    {
        var model = ConvNets.Standard(channels: 8, layers: 2, height: 8, width: 8);
        var input = model.Graph.Node.Single(n => n.Name == "conv1").Input[0];
        var balanced = Balance(model, input, out var result);

        Assert.AreEqual("folded into 'conv0' (Conv)", result.Placement);
        var values = Enumerable.Range(0, 3 * 8 * 8).Select(i => (float)Math.Cos(0.21 * i)).ToArray();
        AssertSameOutputs(model, balanced, TensorData.FromArray<float>("input", [1, 3, 8, 8], values));
    }

    [TestMethod]
    public void Folding_into_a_LayerNormalization_scale_and_bias_keeps_the_outputs()
    {
        var model = new ModelBuilder(opset: 17).Input("x", DataTypes.Float, 2, 4, DmqModels.Width)
            .Initializer("gamma", [DmqModels.Width], ModelBuilder.Pattern(DmqModels.Width, 2, 1))
            .Initializer("beta", [DmqModels.Width], ModelBuilder.Pattern(DmqModels.Width, 0.5, 2))
            .Initializer("w", [DmqModels.Width, 8], ModelBuilder.Pattern(DmqModels.Width * 8, 0.3, 3))
            .Node("LayerNormalization", ["x", "gamma", "beta"], ["n"], "norm", ModelBuilder.IntAttribute("axis", -1))
            .Node("MatMul", ["n", "w"], ["y"], "fc")
            .Output("y", DataTypes.Float, 2, 4, 8).Build();
        var balanced = Balance(model, "n", out var result, rank: 3);

        Assert.AreEqual("folded into 'norm' (LayerNormalization)", result.Placement);
        var values = Enumerable.Range(0, 2 * 4 * DmqModels.Width).Select(i => (float)Math.Sin(0.7 * i) * (i % 16 == 5 ? 40 : 1)).ToArray();
        AssertSameOutputs(model, balanced, TensorData.FromArray<float>("x", [2, 4, DmqModels.Width], values));
    }

    [TestMethod]
    public void Folding_into_a_transposed_Gemm_keeps_the_outputs_and_a_shared_weight_is_copied()
    {
        // gemm2 reads w1 too (as its own B): balancing gemm2's input must not change what gemm1 computes with it.
        var model = new ModelBuilder().Input("x", DataTypes.Float, -1, DmqModels.Width)
            .Initializer("w1", [DmqModels.Width, DmqModels.Width], ModelBuilder.Pattern(DmqModels.Width * DmqModels.Width, 0.4, 1))
            .Initializer("c1", [DmqModels.Width], ModelBuilder.Pattern(DmqModels.Width, 0.1, 2))
            .Node("Gemm", ["x", "w1", "c1"], ["g1"], "gemm1", ModelBuilder.IntAttribute("transB", 1))
            .Node("Gemm", ["g1", "w1"], ["y"], "gemm2", ModelBuilder.IntAttribute("transB", 1))
            .Output("y", DataTypes.Float, -1, DmqModels.Width).Build();
        var balanced = Balance(model, "g1", out var result);

        Assert.AreEqual("folded into 'gemm1' (Gemm)", result.Placement);
        Assert.AreNotEqual(balanced.Graph.Node[0].Input[1], balanced.Graph.Node[1].Input[1]);
        AssertSameOutputs(model, balanced, DmqModels.Samples(8));
    }

    /// <summary>A copy of the model with <paramref name="tensor"/> balanced by the factors 1 + 0.37·j (any positive ones do).</summary>
    private static ModelProto Balance(ModelProto model, string tensor, out BalancedTensor result, int rank = 2)
    {
        var copy = model.Clone();
        var plan = PlanBuilder.Plan(copy.Graph, new PlanOptions());
        var target = DmqBalancer.Targets(copy.Graph, plan, _ => (0.5, true)).Single(t => t.Tensor == tensor) with { Rank = rank };
        var factors = Enumerable.Range(0, target.Channels).Select(j => 1 + 0.37f * j).ToArray();
        result = DmqBalancer.Apply(copy.Graph, target, factors);
        return copy;
    }

    private static void AssertSameOutputs(ModelProto model, ModelProto balanced, TensorProto input)
    {
        var expected = OrtRunner.Run(model, input);
        var actual = OrtRunner.Run(balanced, input);
        Assert.HasCount(expected.Count, actual);
        for (var o = 0; o < expected.Count; o++)
        {
            var (a, b) = (TensorData.ToArray<float>(expected[o]), TensorData.ToArray<float>(actual[o]));
            Assert.HasCount(a.Length, b);
            for (var i = 0; i < a.Length; i++)
            {
                Assert.AreEqual(a[i], b[i], 1e-5 * Math.Max(1, Math.Abs(a[i])), $"output {o}, element {i}");
            }
        }
    }
}
