using Amct.Engine.Evaluation;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Tests.Graph;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>The accuracy fallback reverts main-graph layers and keeps the If branches it did not revert in int8.</summary>
[TestClass]
public sealed class BranchFallbackTests
{
    /// <summary>
    /// x [N,8] feeds a main-graph MatMul whose weight has one outlier, on a feature the data keeps near 0 (per tensor,
    /// every other weight rounds to a few steps and the outlier adds no signal: y1 is poor in int8) and an If, always taken, whose then branch holds a MatMul with 0/1 weights (exact in
    /// int8: y2 is good).
    /// </summary>
    private static ModelProto Model()
    {
        var outlier = TestTensors.Values(32, seed: 1);
        outlier[5] = 100f;
        var selector = Enumerable.Range(0, 32).Select(i => i % 5 == 0 ? 1f : 0f).ToArray();
        var thenBranch = new GraphProto { Name = "then" };
        thenBranch.Node.Add(new NodeProto { OpType = "MatMul", Name = "branch_matmul", Input = { "x", "w2" }, Output = { "t" } });
        thenBranch.Output.Add(TestTensors.UnshapedFloat("t"));
        var elseBranch = new GraphProto { Name = "else" };
        elseBranch.Node.Add(new NodeProto { OpType = "MatMul", Name = "else_matmul", Input = { "x", "w2" }, Output = { "e" } });
        elseBranch.Output.Add(TestTensors.UnshapedFloat("e"));
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 16, 8)
            .Output("y1", DataTypes.Float, 16, 4)
            .Output("y2", DataTypes.Float, 16, 4)
            .Initializer("w1", [8, 4], outlier)
            .Initializer("w2", [8, 4], selector)
            .Initializer(TensorData.FromArray<float>("low", [], [-1e9f]))
            .Node("MatMul", ["x", "w1"], ["y1"], "matmul1")
            .Node("ReduceMax", ["x"], ["max"], "max", ModelBuilder.IntAttribute("keepdims", 0))
            .Node("Greater", ["max", "low"], ["cond"], "greater")
            .Node("If", ["cond"], ["y2"], "if", ModelBuilder.GraphAttribute("then_branch", thenBranch),
                ModelBuilder.GraphAttribute("else_branch", elseBranch))
            .Build();
        return model;
    }

    /// <summary>Values in [-1, 1), feature 1 (the outlier weight's row) scaled down to near 0.</summary>
    private static float[] Samples(int count, int seed) =>
        TestTensors.Values(count * 8, seed).Select((v, i) => i % 8 == 1 ? v * 0.001f : v).ToArray();

    [TestMethod]
    public void The_fallback_keeps_the_branch_layers_int8()
    {
        using var temp = new TempFolder();
        var modelPath = Path.Combine(temp.Path, "model.onnx");
        ModelBuilder.Write(Model(), modelPath);
        var data = Path.Combine(temp.Path, "x.npy");
        NpyWriter.Write<float>(data, [64, 8], Samples(64, seed: 2));

        var result = QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = modelPath,
            CalibrationData = data,
            OutputDirectory = temp.Path,
            MatMulWeights = WeightGranularity.PerTensor,
            Gate = new GateThresholds { MinSqnrDb = 30 },
        }, new CollectingLog());

        var report = result.Report;
        Assert.IsTrue(report.Fallback is { Passed: true }, "the fallback finds a configuration that passes");
        CollectionAssert.AreEqual(new[] { "matmul1" }, report.Fallback.Reverted.ToArray());
        var quantized = ModelLoader.Load(result.QuantizedModel);
        var ifNode = quantized.Graph.Node.Single(n => n.OpType == "If");
        var then = ifNode.Attribute.Single(a => a.Name == "then_branch").G;
        Assert.IsTrue(then.Node.Any(n => n.OpType == "DequantizeLinear"), "the branch stays int8 after the fallback");
        Assert.IsFalse(quantized.Graph.Node.Any(n => n.OpType == "QuantizeLinear" && n.Input[0] == "x"),
            "the reverted main-graph layer's input is float");
        Assert.IsTrue(report.Layers.Any(l => l.Name == "branch_matmul"));
        var input = TensorData.FromArray<float>("x", [16, 8], Samples(16, seed: 3));
        var expected = OrtRunner.Run(Model(), input);
        var actual = OrtRunner.Run(quantized, optimized: true, input);
        for (var i = 0; i < expected.Count; i++)
        {
            var (e, a) = (TensorData.ToArray<float>(expected[i]), TensorData.ToArray<float>(actual[i]));
            Assert.IsLessThan(0.02 * e.Max(Math.Abs), e.Zip(a).Max(p => Math.Abs(p.First - p.Second)), $"output {i} within 2 % of its range");
        }
    }
}
