using Amct.Engine.Graph.Opset;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Graph;

[TestClass]
public sealed class OpsetUpgradeTests
{
    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Squeezenet_opset_7_upgraded_to_13_reproduces_the_reference_output()
    {
        var folder = SharedData.PathOf("squeezenet");
        var original = ModelLoader.Load(Path.Combine(folder, "squeezenet1.1-opset7.onnx"));
        var input = TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, "test_data_set_0", "input_0.pb")));
        var expected = TensorProto.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, "test_data_set_0", "output_0.pb")));
        input.Name = original.Graph.Input.Single(i => original.Graph.Initializer.All(t => t.Name != i.Name)).Name;
        var fromOriginal = OrtRunner.Run(original, input);

        var upgraded = original.Clone();
        var from = OpsetUpgrade.Apply(upgraded, "squeezenet1.1-opset7.onnx");

        Assert.AreEqual(7L, from);
        Assert.AreEqual(13L, upgraded.OpsetImport.Single(o => o.Domain is "" or "ai.onnx").Version);
        Assert.AreEqual(7L, upgraded.IrVersion, "IR 4 becomes 7, the first to allow opset 13");
        var fromUpgraded = OrtRunner.Run(upgraded, input);
        TestTensors.AssertAllClose(fromOriginal, fromUpgraded, 1e-5);
        // The reference output was computed by another runtime: the ONNX backend tests' tolerance applies.
        TestTensors.AssertClose(expected, fromUpgraded[0], 1e-3, "squeezenet output vs test_data_set_0/output_0.pb");
        // The softmax over [1, 1000, 1, 1] at axis 1 is one softmax at axis 1 at opset 13: no Flatten/Reshape.
        Assert.IsFalse(upgraded.Graph.Node.Any(n => n.OpType is "Flatten" or "Reshape"));
        Assert.IsFalse(upgraded.Graph.Node.SelectMany(n => n.Attribute).Any(a => a.Name == "ratio"), "Dropout lost its ratio");
    }

    [TestMethod]
    public void A_model_at_opset_13_or_later_is_left_unchanged()
    {
        foreach (var opset in new long[] { 13, 17 })
        {
            var model = ModelBuilder.Gemm();
            model.OpsetImport[0].Version = opset;
            var original = model.Clone();

            Assert.IsNull(OpsetUpgrade.Apply(model, "model.onnx"));
            Assert.AreEqual(original, model);
        }
    }

    [TestMethod]
    public void An_opset_before_6_is_reported()
    {
        var model = ModelBuilder.Gemm();
        model.OpsetImport[0].Version = 5;

        var error = Assert.ThrowsExactly<AmctException>(() => OpsetUpgrade.Apply(model, "old.onnx"));

        Assert.AreEqual(ErrorCodes.OpsetTooOld, error.Code);
        Assert.AreEqual("old.onnx", error.Target);
        StringAssert.Contains(error.Message, "opset 5");
        StringAssert.Contains(error.Message, "opset 13 or later");
    }

    [TestMethod]
    public void An_operator_without_a_converter_is_reported_by_node_and_the_model_is_left_unchanged()
    {
        // ImageScaler (experimental) was removed in opset 10; Relu before it converts fine, but nothing may change.
        var model = new ModelBuilder(opset: 9)
            .Input("X", DataTypes.Float, 1, 3, 2, 2)
            .Output("Y", DataTypes.Float, 1, 3, 2, 2)
            .Node("Relu", ["X"], ["R"], "relu")
            .Node("ImageScaler", ["R"], ["Y"], "scaler_1")
            .Build();
        var original = model.Clone();

        var error = Assert.ThrowsExactly<AmctException>(() => OpsetUpgrade.Apply(model, "model.onnx"));

        Assert.AreEqual(ErrorCodes.OperatorNotUpgradable, error.Code);
        StringAssert.Contains(error.Message, "'scaler_1' (ImageScaler)");
        StringAssert.Contains(error.Message, "opset 9");
        StringAssert.Contains(error.Message, "Re-export the model with opset 13 or later");
        Assert.AreEqual(original, model);
    }

    [TestMethod]
    public void Control_flow_is_upgraded_with_its_subgraphs()
    {
        var branch = new GraphProto
        {
            Name = "branch",
            Node = { new NodeProto { OpType = "Identity", Name = "copy", Input = { "X" }, Output = { "X_copy" } } },
            Output = { ModelBuilder.Value("X_copy", DataTypes.Float, [2]) },
        };
        var model = new ModelBuilder(opset: 11)
            .Input("C", DataTypes.Bool)
            .Input("X", DataTypes.Float, 2)
            .Output("Y", DataTypes.Float, 2)
            .Node("If", ["C"], ["Y"], "if", ModelBuilder.GraphAttribute("then_branch", branch), ModelBuilder.GraphAttribute("else_branch", branch))
            .Build();

        // Branches returning an outer value need no change; DownloadedModelTests converts nodes inside branches.
        var upgraded = UpgradeAssert.KeepsOutputs(model, TensorData.FromArray<bool>("C", [], [true]),
            TensorData.FromArray<float>("X", [2], [1f, 2f]));

        Assert.AreEqual("If", upgraded.Graph.Node.Single().OpType);
    }

    [TestMethod]
    public void Nodes_of_other_domains_are_kept_and_ai_onnx_nodes_without_an_import_are_reported()
    {
        var model = new ModelBuilder(opset: 9)
            .Input("X", DataTypes.Float, 2)
            .Output("Y", DataTypes.Float, 2)
            .Node("Relu", ["X"], ["R"], "relu")
            .Node("FusedThing", ["R"], ["Y"], "custom")
            .Build();
        model.Graph.Node[1].Domain = "com.example";
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "com.example", Version = 1 });

        OpsetUpgrade.Apply(model, "model.onnx");
        Assert.AreEqual("com.example", model.Graph.Node[1].Domain);
        Assert.AreEqual(1L, model.OpsetImport.Single(o => o.Domain == "com.example").Version);

        model.OpsetImport.RemoveAt(0);
        var error = Assert.ThrowsExactly<AmctException>(() => OpsetUpgrade.Apply(model, "model.onnx"));
        Assert.AreEqual(ErrorCodes.DefaultOpsetMissing, error.Code);
        StringAssert.Contains(error.Message, "'relu'");
    }

    [TestMethod]
    public void Operators_unchanged_since_opset_7_are_kept_and_still_compute_the_same()
    {
        var model = new ModelBuilder(opset: 7)
            .Input("X", DataTypes.Float, 2, 3, 4, 4)
            .Output("Y", DataTypes.Float, 2, 5)
            .Initializer("W", [4, 3, 3, 3], TestTensors.Values(108, seed: 1))
            .Initializer("G", [5, 16], TestTensors.Values(80, seed: 2))
            .Initializer("C", [5], TestTensors.Values(5, seed: 3))
            .Node("Conv", ["X", "W"], ["c"], "conv", Attributes.Ints("pads", 1, 1, 1, 1))
            .Node("LeakyRelu", ["c"], ["l"], "leaky", Attributes.Float("alpha", 0.2f))
            .Node("AveragePool", ["l"], ["p"], "pool", Attributes.Ints("kernel_shape", 2, 2), Attributes.Ints("strides", 2, 2))
            .Node("Flatten", ["p"], ["f"], "flatten")
            .Node("Gemm", ["f", "G", "C"], ["g"], "fc", Attributes.Int("transB", 1))
            .Node("Sigmoid", ["g"], ["s"], "sigmoid")
            .Node("Mul", ["s", "g"], ["Y"], "mul")
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [2, 3, 4, 4], seed: 4));

        CollectionAssert.AreEqual(model.Graph.Node.Select(n => n.OpType).ToList(), upgraded.Graph.Node.Select(n => n.OpType).ToList());
    }
}
