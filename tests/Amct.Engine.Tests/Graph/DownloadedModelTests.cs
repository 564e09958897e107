using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Graph;

/// <summary>
/// Models as people download them rather than export them: old IR and opsets, values whose type is only known by
/// inference, weights in Constant nodes, control flow at an old opset. Each is built in code in the shape the
/// publisher's exporter writes it.
/// </summary>
[TestClass]
public sealed class DownloadedModelTests
{
    /// <summary>
    /// PaddlePaddle's paddle2onnx at opset 9, IR 3: MatMul → Reshape → Add (bias in a Constant node) → Clip with
    /// min/max attributes, no value_info, initializers listed as graph inputs. The Add's type is only known by
    /// inference through the Reshape.
    /// </summary>
    private static ModelProto PaddleStyleOpset9()
    {
        var model = new ModelBuilder(opset: 9)
            .Input("x", DataTypes.Float, 1, 8)
            .Input("w", DataTypes.Float, 8, 4)
            .Input("shape", DataTypes.Int64, 2)
            .Output("y", DataTypes.Float, 1, 4)
            .Initializer(TestTensors.Random("w", [8, 4], seed: 1))
            .Initializer(TensorData.FromArray<long>("shape", [2], [1, 4]))
            .Node("Constant", [], ["bias"], "p2o.Constant.0",
                new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = TestTensors.Random("", [4], seed: 2) })
            .Node("MatMul", ["x", "w"], ["p2o.MatMul.1"], "p2o.MatMul.0")
            .Node("Reshape", ["p2o.MatMul.1", "shape"], ["p2o.Reshape.1"], "p2o.Reshape.0")
            .Node("Add", ["p2o.Reshape.1", "bias"], ["p2o.Add.5"], "p2o.Add.2")
            .Node("Clip", ["p2o.Add.5"], ["y"], "p2o.Clip.0", Attributes.Float("min", 0f), Attributes.Float("max", 0.5f))
            .Build();
        model.IrVersion = 3;
        return model;
    }

    [TestMethod]
    public void An_opset_9_clip_whose_input_type_is_only_known_by_inference_is_upgraded()
    {
        var upgraded = UpgradeAssert.KeepsOutputs(PaddleStyleOpset9(), TestTensors.Random("x", [1, 8], seed: 3, low: -2f, high: 2f));

        var clip = upgraded.Graph.Node.Single(n => n.OpType == "Clip");
        Assert.HasCount(3, clip.Input, "min and max became inputs");
        Assert.IsEmpty(clip.Attribute, "no attribute is left");
    }

    [TestMethod]
    public void The_paddle_style_model_quantizes_with_no_listed_initializers_and_no_float_copy_of_its_weight()
    {
        using var temp = new TempFolder();
        var modelPath = Path.Combine(temp.Path, "paddle.onnx");
        ModelBuilder.Write(PaddleStyleOpset9(), modelPath);
        var dataPath = Path.Combine(temp.Path, "calib.npy");
        NpyWriter.Write<float>(dataPath, [32, 8], TestTensors.Values(32 * 8, seed: 4, low: -2f, high: 2f));

        // QualityFloor off: a one-layer model grows when quantized, and this test is about how its weight is stored.
        var result = QuantizationJob.Run(new QuantizeRequest { ModelPath = modelPath, CalibrationData = dataPath, OutputDirectory = temp.Path, QualityFloor = false },
            new CollectingLog());

        Assert.AreEqual(9L, result.Report.Preparation.UpgradedFromOpset);
        Assert.AreEqual("p2o.MatMul.0", result.Report.Layers.Single().Name);
        var quantized = ModelLoader.Load(result.QuantizedModel);
        CollectionAssert.AreEqual(new[] { "x" }, quantized.Graph.Input.Select(i => i.Name).ToArray(),
            "the initializers an IR 3 model lists as inputs are constants, no longer inputs");
        Assert.IsFalse(quantized.Graph.Initializer.Any(t => t.Name == "w"), "the float weight is gone");
        Assert.IsTrue(quantized.Graph.Initializer.Any(t => t.Name == "bias"), "the Constant-node bias became an initializer");
        Assert.IsFalse(quantized.Graph.Node.Any(n => n.OpType == "Constant"));
        var input = TestTensors.Random("x", [1, 8], seed: 5, low: -2f, high: 2f);
        TestTensors.AssertAllClose(OrtRunner.Run(PaddleStyleOpset9(), input), OrtRunner.Run(quantized, input), 0.1);
    }

    [TestMethod]
    public void If_branches_of_an_old_opset_model_are_upgraded_recursively()
    {
        // Opset 10: Clip takes min/max as attributes (inside the then branch), Unsqueeze takes axes as an attribute
        // (inside the else branch). Both read the outer value x.
        var thenBranch = new GraphProto { Name = "then" };
        thenBranch.Node.Add(new NodeProto { OpType = "Clip", Name = "clip_in_then", Input = { "x" }, Output = { "clipped" },
            Attribute = { Attributes.Float("min", -0.25f), Attributes.Float("max", 0.25f) } });
        thenBranch.Output.Add(TestTensors.UnshapedFloat("clipped"));
        var elseBranch = new GraphProto { Name = "else" };
        elseBranch.Node.Add(new NodeProto { OpType = "Unsqueeze", Name = "unsqueeze_in_else", Input = { "x" }, Output = { "wide" },
            Attribute = { Attributes.Ints("axes", 0) } });
        elseBranch.Node.Add(new NodeProto { OpType = "ReduceSum", Name = "sum_in_else", Input = { "wide" }, Output = { "summed" },
            Attribute = { Attributes.Ints("axes", 0), Attributes.Int("keepdims", 0) } });
        elseBranch.Output.Add(TestTensors.UnshapedFloat("summed"));
        var model = new ModelBuilder(opset: 10)
            .Input("x", DataTypes.Float, 2, 3)
            .Input("cond", DataTypes.Bool)
            .Output("y", DataTypes.Float, 2, 3)
            .Node("If", ["cond"], ["y"], "branch", ModelBuilder.GraphAttribute("then_branch", thenBranch),
                ModelBuilder.GraphAttribute("else_branch", elseBranch))
            .Build();
        var x = TestTensors.Random("x", [2, 3], seed: 6);

        foreach (var condition in new[] { true, false })
        {
            UpgradeAssert.KeepsOutputs(model, x, TensorData.FromArray<bool>("cond", [], [condition]));
        }
        var upgraded = UpgradeAssert.KeepsOutputs(model, x, TensorData.FromArray<bool>("cond", [], [true]));
        var node = upgraded.Graph.Node.Single();
        var then = node.Attribute.Single(a => a.Name == "then_branch").G;
        var @else = node.Attribute.Single(a => a.Name == "else_branch").G;
        Assert.HasCount(3, then.Node.Single().Input);
        Assert.HasCount(2, then.Initializer, "the bounds live in the branch that uses them");
        Assert.IsTrue(@else.Node.All(n => n.Input.Count == 2 && n.Attribute.All(a => a.Name != "axes")));
    }

    [TestMethod]
    public void Opset_6_legacy_broadcast_from_an_axis_becomes_numpy_broadcasting()
    {
        // PyTorch 0.3: Add(A [2,3,4], B [3], broadcast=1, axis=1) adds B[c] along axis 1. ONNX Runtime does not run
        // opset 6 Add, so the expected values are computed here.
        var a = TestTensors.Random("a", [2, 3, 4], seed: 9);
        var b = TensorData.FromArray<float>("b", [3], [10f, 20f, 30f]);
        var model = new ModelBuilder(opset: 6)
            .Input("a", DataTypes.Float, 2, 3, 4)
            .Output("y", DataTypes.Float, 2, 3, 4)
            .Initializer(b)
            .Node("Add", ["a", "b"], ["y"], "add", Attributes.Int("broadcast", 1), Attributes.Int("axis", 1))
            .Build();

        Assert.AreEqual(6L, Amct.Engine.Graph.Opset.OpsetUpgrade.Apply(model, "model.onnx"));

        var values = TensorData.ToArray<float>(a);
        var expected = TensorData.FromArray<float>("y", [2, 3, 4], values.Select((v, i) => v + 10f * (i / 4 % 3 + 1)).ToArray());
        TestTensors.AssertClose(expected, OrtRunner.Run(model, a)[0], 1e-6);
        Assert.IsTrue(model.Graph.Node.Any(n => n.OpType == "Unsqueeze"), "B gets a trailing axis");
    }

    [TestMethod]
    public void Scatter_becomes_scatter_elements()
    {
        var data = TestTensors.Random("data", [3, 3], seed: 10);
        var model = new ModelBuilder(opset: 10)
            .Input("data", DataTypes.Float, 3, 3)
            .Output("y", DataTypes.Float, 3, 3)
            .Initializer(TensorData.FromArray<long>("indices", [1, 2], [1, 0]))
            .Initializer(TensorData.FromArray<float>("updates", [1, 2], [5f, 6f]))
            .Node("Scatter", ["data", "indices", "updates"], ["y"], "scatter", Attributes.Int("axis", 1))
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, data);

        Assert.AreEqual("ScatterElements", upgraded.Graph.Node.Single().OpType);
    }

    [TestMethod]
    public void Scan_8_is_refused_naming_the_node()
    {
        var body = new GraphProto { Name = "body" };
        var model = new ModelBuilder(opset: 8)
            .Input("x", DataTypes.Float, 1, 2, 3)
            .Output("y", DataTypes.Float, 1, 2, 3)
            .Node("Scan", ["", "x"], ["y"], "old_scan", ModelBuilder.GraphAttribute("body", body), Attributes.Int("num_scan_inputs", 1))
            .Build();

        var error = UpgradeAssert.Fails(model, ErrorCodes.OperatorNotUpgradable, "old_scan");

        StringAssert.Contains(error.Message, "Scan version 8");
    }

    [TestMethod]
    public void A_reshaped_ir_3_weight_is_folded_into_a_constant_and_quantized()
    {
        // The ONNX model zoo's MNIST (IR 3, opset 8): its [16,4,4,10] initializer, also listed as a graph input, is
        // reshaped to the [256,10] MatMul weight in the graph.
        var model = new ModelBuilder(opset: 8)
            .Input("x", DataTypes.Float, 1, 256)
            .Input("Parameter193", DataTypes.Float, 16, 4, 4, 10)
            .Input("Parameter193_reshape1_shape", DataTypes.Int64, 2)
            .Output("y", DataTypes.Float, 1, 10)
            .Initializer(TestTensors.Random("Parameter193", [16, 4, 4, 10], seed: 11, low: -0.2f, high: 0.2f))
            .Initializer(TensorData.FromArray<long>("Parameter193_reshape1_shape", [2], [256, 10]))
            .Node("Reshape", ["Parameter193", "Parameter193_reshape1_shape"], ["Parameter193_reshape1"], "Times212_reshape1")
            .Node("MatMul", ["x", "Parameter193_reshape1"], ["y"], "Times212")
            .Build();
        model.IrVersion = 3;
        using var temp = new TempFolder();
        var modelPath = Path.Combine(temp.Path, "mnist-style.onnx");
        ModelBuilder.Write(model, modelPath);
        var dataPath = Path.Combine(temp.Path, "calib.npy");
        NpyWriter.Write<float>(dataPath, [16, 256], TestTensors.Values(16 * 256, seed: 12, low: 0f, high: 1f));

        var result = QuantizationJob.Run(new QuantizeRequest { ModelPath = modelPath, CalibrationData = dataPath, OutputDirectory = temp.Path },
            new CollectingLog());

        Assert.AreEqual("Times212", result.Report.Layers.Single().Name);
        var quantized = ModelLoader.Load(result.QuantizedModel);
        CollectionAssert.AreEqual(new[] { "x" }, quantized.Graph.Input.Select(i => i.Name).ToArray());
        Assert.IsFalse(quantized.Graph.Initializer.Any(t => t.DataType == DataTypes.Float && t.Dims.Count == 4), "no float copy of the weight");
        var input = TestTensors.Random("x", [1, 256], seed: 13, low: 0f, high: 1f);
        var expected = OrtRunner.Run(model, input);
        var actual = OrtRunner.Run(quantized, input);
        var cosine = Cosine(TensorData.ToArray<float>(expected[0]), TensorData.ToArray<float>(actual[0]));
        Assert.IsGreaterThan(0.999, cosine);
    }

    private static double Cosine(float[] a, float[] b) =>
        a.Zip(b).Sum(p => (double)p.First * p.Second) / Math.Sqrt(a.Sum(v => (double)v * v) * b.Sum(v => (double)v * v));

    [TestMethod]
    public void Constant_node_weights_become_initializers_and_leave_no_float_copy()
    {
        var weight = TestTensors.Random("", [64, 32, 3, 3], seed: 7, low: -0.1f, high: 0.1f);
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 1, 32, 8, 8)
            .Output("y", DataTypes.Float, 1, 64, 6, 6)
            .Node("Constant", [], ["conv.weight"], "weight_constant",
                new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = weight })
            .Node("Conv", ["x", "conv.weight"], ["y"], "conv")
            .Build();
        using var temp = new TempFolder();
        var modelPath = Path.Combine(temp.Path, "constant-weights.onnx");
        ModelBuilder.Write(model, modelPath);
        var dataPath = Path.Combine(temp.Path, "calib.npy");
        NpyWriter.Write<float>(dataPath, [4, 32, 8, 8], TestTensors.Values(4 * 32 * 64, seed: 8));

        Assert.AreEqual(64L * 32 * 9, ModelSummary.Of(model, modelPath).ParameterCount, "inspect counts Constant-node weights");
        var result = QuantizationJob.Run(new QuantizeRequest { ModelPath = modelPath, CalibrationData = dataPath, OutputDirectory = temp.Path },
            new CollectingLog());

        var quantized = ModelLoader.Load(result.QuantizedModel);
        Assert.IsFalse(quantized.Graph.Node.Any(n => n.OpType == "Constant"), "the float Constant is gone");
        Assert.IsFalse(quantized.Graph.Initializer.Any(t => t.DataType == DataTypes.Float && t.Dims.Count == 4));
        Assert.IsLessThanOrEqualTo(0.3, new FileInfo(result.QuantizedModel).Length / (double)new FileInfo(modelPath).Length);
    }
}
