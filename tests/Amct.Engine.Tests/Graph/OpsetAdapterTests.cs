using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Graph;

/// <summary>Each opset adapter: a small model at its old opset runs the same in ONNX Runtime before and after.</summary>
[TestClass]
public sealed class OpsetAdapterTests
{
    [TestMethod]
    [DataRow("Softmax")]
    [DataRow("LogSoftmax")]
    [DataRow("Hardmax")]
    public void Softmax_family_over_several_trailing_axes_is_rebuilt_with_flatten_and_reshape(string op)
    {
        // Opset 11 normalizes [2, 3·4] at axis 1; opset 13 would normalize only the 3 axis.
        var model = new ModelBuilder(opset: 11)
            .Input("X", DataTypes.Float, 2, 3, 4)
            .Output("Y", DataTypes.Float, 2, 3, 4)
            .Node(op, ["X"], ["Y"], "norm", Attributes.Int("axis", 1))
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [2, 3, 4], seed: 1, low: -3, high: 3));

        CollectionAssert.AreEqual(new[] { "Flatten", op, "Shape", "Reshape" }, upgraded.Graph.Node.Select(n => n.OpType).ToArray());
        Assert.AreEqual("norm", upgraded.Graph.Node[1].Name, "the op keeps its name");
    }

    [TestMethod]
    [DataRow("Softmax")]
    [DataRow("LogSoftmax")]
    [DataRow("Hardmax")]
    public void Softmax_family_with_an_unknown_input_shape_and_the_default_axis_is_rebuilt(string op)
    {
        var model = new ModelBuilder(opset: 7).Output("Y", DataTypes.Float, 2, 3, 2).Build();
        model.Graph.Input.Add(TestTensors.UnshapedFloat("X"));
        model.Graph.Output[0] = TestTensors.UnshapedFloat("Y");
        model.Graph.Node.Add(new NodeProto { OpType = op, Name = "norm", Input = { "X" }, Output = { "Y" } });

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [2, 3, 2], seed: 2, low: -3, high: 3));

        Assert.AreEqual(4, upgraded.Graph.Node.Count);
    }

    [TestMethod]
    [DataRow("Softmax", new long[] { 4, 7 }, 1L, 1L)]
    [DataRow("LogSoftmax", new long[] { 2, 3, 5 }, -1L, 2L)]
    [DataRow("Softmax", new long[] { 1, 10, 1, 1 }, 1L, 1L)]
    [DataRow("Hardmax", new long[] { 2, 1, 6 }, 1L, 2L)]
    public void Softmax_family_where_one_trailing_axis_is_longer_than_1_only_changes_the_axis(string op, long[] dims, long axis, long newAxis)
    {
        var model = new ModelBuilder(opset: 9)
            .Input("X", DataTypes.Float, dims)
            .Output("Y", DataTypes.Float, dims)
            .Node(op, ["X"], ["Y"], "norm", Attributes.Int("axis", axis))
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", dims, seed: 3, low: -3, high: 3));

        var node = upgraded.Graph.Node.Single();
        Assert.AreEqual(newAxis, node.Attribute.Single(a => a.Name == "axis").I);
    }

    [TestMethod]
    public void Squeeze_and_unsqueeze_axes_become_inputs()
    {
        var model = new ModelBuilder(opset: 11)
            .Input("X", DataTypes.Float, 2, 1, 3, 1)
            .Output("Y", DataTypes.Float, 1, 2, 3, 1)
            .Node("Squeeze", ["X"], ["s"], "squeeze", Attributes.Ints("axes", 1, -1))
            .Node("Unsqueeze", ["s"], ["Y"], "unsqueeze", Attributes.Ints("axes", 0, 3))
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [2, 1, 3, 1], seed: 4));

        Assert.IsTrue(upgraded.Graph.Node.All(n => n.Input.Count == 2 && n.Attribute.Count == 0));
    }

    [TestMethod]
    public void Squeeze_without_axes_stays_without_axes()
    {
        var model = new ModelBuilder(opset: 7)
            .Input("X", DataTypes.Float, 2, 1, 3, 1)
            .Output("Y", DataTypes.Float, 2, 3)
            .Node("Squeeze", ["X"], ["Y"], "squeeze")
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [2, 1, 3, 1], seed: 5));

        Assert.HasCount(1, upgraded.Graph.Node[0].Input);
    }

    [TestMethod]
    public void Reduce_sum_axes_become_an_input_and_keepdims_stays()
    {
        var model = new ModelBuilder(opset: 11)
            .Input("X", DataTypes.Float, 2, 3, 4)
            .Output("Y", DataTypes.Float, 2)
            .Output("Z", DataTypes.Float, 1, 1, 1)
            .Node("ReduceSum", ["X"], ["Y"], "sum", Attributes.Ints("axes", 1, -1), Attributes.Int("keepdims", 0))
            .Node("ReduceSum", ["X"], ["Z"], "sum_all")
            .Build();

        UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [2, 3, 4], seed: 6));
    }

    [TestMethod]
    [DataRow(7L)]
    [DataRow(11L)]
    public void Split_sizes_become_an_input(long opset)
    {
        var model = new ModelBuilder(opset)
            .Input("X", DataTypes.Float, 2, 5)
            .Output("A", DataTypes.Float, 2, 2)
            .Output("B", DataTypes.Float, 2, 3)
            .Node("Split", ["X"], ["A", "B"], "split", Attributes.Int("axis", 1), Attributes.Ints("split", 2, 3))
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [2, 5], seed: 7));

        Assert.HasCount(2, upgraded.Graph.Node[0].Input);
    }

    [TestMethod]
    public void Top_k_attribute_becomes_a_one_element_input()
    {
        var model = new ModelBuilder(opset: 9)
            .Input("X", DataTypes.Float, 3, 6)
            .Output("V", DataTypes.Float, 3, 2)
            .Output("I", DataTypes.Int64, 3, 2)
            .Node("TopK", ["X"], ["V", "I"], "topk", Attributes.Int("k", 2))
            .Build();

        UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [3, 6], seed: 8));
    }

    [TestMethod]
    public void Slice_attributes_become_inputs()
    {
        var model = new ModelBuilder(opset: 9)
            .Input("X", DataTypes.Float, 3, 4, 5)
            .Output("Y", DataTypes.Float, 2, 4, 2)
            .Output("Z", DataTypes.Float, 1, 3, 5)
            .Node("Slice", ["X"], ["Y"], "slice", Attributes.Ints("starts", 1, -3), Attributes.Ints("ends", 1000, -1),
                Attributes.Ints("axes", 0, 2))
            .Node("Slice", ["X"], ["Z"], "slice_no_axes", Attributes.Ints("starts", 0, 1), Attributes.Ints("ends", 1, 4))
            .Build();

        UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [3, 4, 5], seed: 9));
    }

    [TestMethod]
    [DataRow("constant", 1.5f)]
    [DataRow("constant", 0f)]
    [DataRow("reflect", 0f)]
    [DataRow("edge", 0f)]
    public void Pad_attributes_become_inputs(string mode, float value)
    {
        var model = new ModelBuilder(opset: 10)
            .Input("X", DataTypes.Float, 1, 2, 3, 4)
            .Output("Y", DataTypes.Float, 1, 2, 6, 7)
            .Node("Pad", ["X"], ["Y"], "pad", Attributes.String("mode", mode), Attributes.Ints("pads", 0, 0, 1, 2, 0, 0, 2, 1),
                Attributes.Float("value", value))
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [1, 2, 3, 4], seed: 10));

        Assert.HasCount(mode == "constant" && value != 0 ? 3 : 2, upgraded.Graph.Node[0].Input);
    }

    [TestMethod]
    public void Clip_bounds_become_inputs_of_the_data_type()
    {
        // The Clip reads the Relu output, whose element type the upgrade has to work out.
        var model = new ModelBuilder(opset: 10)
            .Input("X", DataTypes.Float, 4, 5)
            .Output("Y", DataTypes.Float, 4, 5)
            .Output("Z", DataTypes.Float, 4, 5)
            .Output("W", DataTypes.Float, 4, 5)
            .Node("Identity", ["X"], ["x"], "identity")
            .Node("Clip", ["x"], ["Y"], "clip", Attributes.Float("min", -0.2f), Attributes.Float("max", 0.3f))
            .Node("Clip", ["x"], ["Z"], "clip_max", Attributes.Float("max", 0.1f))
            .Node("Clip", ["x"], ["W"], "clip_none")
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [4, 5], seed: 11));

        CollectionAssert.AreEqual(new[] { "x", "", upgraded.Graph.Node[2].Input[2] }, upgraded.Graph.Node[2].Input.ToArray());
        Assert.HasCount(1, upgraded.Graph.Node[3].Input);
    }

    [TestMethod]
    public void Clip_on_a_value_of_unknown_type_is_reported()
    {
        var model = new ModelBuilder(opset: 9).Output("Y", DataTypes.Float, 4).Build();
        model.Graph.Input.Add(new ValueInfoProto { Name = "X" });
        model.Graph.Node.Add(new NodeProto { OpType = "Clip", Name = "clip", Input = { "X" }, Output = { "Y" }, Attribute = { Attributes.Float("min", 0) } });

        var error = UpgradeAssert.Fails(model, ErrorCodes.OperatorUsageNotUpgradable, "clip");

        StringAssert.Contains(error.Message, "element type");
    }

    [TestMethod]
    public void Batch_normalization_7_loses_spatial_1()
    {
        var model = new ModelBuilder(opset: 7)
            .Input("X", DataTypes.Float, 2, 3, 4, 4)
            .Output("Y", DataTypes.Float, 2, 3, 4, 4)
            .Initializer("s", [3], [1.5f, 0.5f, 2f])
            .Initializer("b", [3], [0.1f, -0.2f, 0.3f])
            .Initializer("m", [3], [0.2f, 0f, -0.1f])
            .Initializer("v", [3], [0.5f, 1f, 2f])
            .Node("BatchNormalization", ["X", "s", "b", "m", "v"], ["Y"], "bn", Attributes.Int("spatial", 1))
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [2, 3, 4, 4], seed: 12));

        Assert.IsEmpty(upgraded.Graph.Node[0].Attribute);
    }

    [TestMethod]
    public void Batch_normalization_7_with_spatial_0_is_reported()
    {
        var model = new ModelBuilder(opset: 8)
            .Input("X", DataTypes.Float, 2, 3)
            .Output("Y", DataTypes.Float, 2, 3)
            .Node("BatchNormalization", ["X", "s", "b", "m", "v"], ["Y"], "bn_0", Attributes.Int("spatial", 0))
            .Build();

        var error = UpgradeAssert.Fails(model, ErrorCodes.OperatorUsageNotUpgradable, "bn_0");

        StringAssert.Contains(error.Message, "spatial");
    }

    [TestMethod]
    [DataRow(7L)]
    [DataRow(10L)]
    public void Dropout_loses_its_ratio_and_unread_mask(long opset)
    {
        var model = new ModelBuilder(opset)
            .Input("X", DataTypes.Float, 3, 4)
            .Output("Y", DataTypes.Float, 3, 4)
            .Node("Dropout", ["X"], ["Y", "mask"], "dropout", Attributes.Float("ratio", 0.3f))
            .Build();

        var upgraded = UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [3, 4], seed: 13));

        var dropout = upgraded.Graph.Node.Single();
        Assert.IsEmpty(dropout.Attribute);
        CollectionAssert.AreEqual(new[] { "Y" }, dropout.Output.ToArray());
    }

    [TestMethod]
    [DataRow(7L, DataTypes.Float)]
    [DataRow(10L, DataTypes.Bool)]
    public void Dropout_with_a_read_mask_is_reported(long opset, int maskType)
    {
        var model = new ModelBuilder(opset)
            .Input("X", DataTypes.Float, 3, 4)
            .Output("Y", DataTypes.Float, 3, 4)
            .Output("mask", maskType, 3, 4)
            .Node("Dropout", ["X"], ["Y", "mask"], "dropout", Attributes.Float("ratio", 0.5f))
            .Build();

        var error = UpgradeAssert.Fails(model, ErrorCodes.OperatorUsageNotUpgradable, "dropout");

        StringAssert.Contains(error.Message, "'mask'");
    }

    [TestMethod]
    [DataRow(7L, "nearest")]
    [DataRow(7L, "linear")]
    [DataRow(9L, "nearest")]
    [DataRow(9L, "linear")]
    public void Upsample_becomes_an_asymmetric_resize(long opset, string mode)
    {
        var scales = new[] { 1f, 1f, 2f, 3f };
        var builder = new ModelBuilder(opset)
            .Input("X", DataTypes.Float, 1, 2, 3, 4)
            .Output("Y", DataTypes.Float, 1, 2, 6, 12);
        if (opset < 9)
        {
            builder.Node("Upsample", ["X"], ["Y"], "up", Attributes.String("mode", mode), Attributes.Floats("scales", scales));
        }
        else
        {
            builder.Initializer("scales", [4], scales)
                .Node("Upsample", ["X", "scales"], ["Y"], "up", Attributes.String("mode", mode));
        }

        var upgraded = UpgradeAssert.KeepsOutputs(builder.Build(), TestTensors.Random("X", [1, 2, 3, 4], seed: 15));

        var resize = upgraded.Graph.Node.Single();
        Assert.AreEqual("Resize", resize.OpType);
        Assert.AreEqual("up", resize.Name);
    }

    [TestMethod]
    [DataRow("nearest", 2f, 2.5f)]
    [DataRow("linear", 2f, 2.5f)]
    [DataRow("linear", 0.5f, 0.75f)]
    public void Resize_10_becomes_an_asymmetric_resize(string mode, float heightScale, float widthScale)
    {
        var model = new ModelBuilder(opset: 10)
            .Input("X", DataTypes.Float, 1, 2, 4, 8)
            .Initializer("scales", [4], [1f, 1f, heightScale, widthScale])
            .Node("Resize", ["X", "scales"], ["Y"], "resize", Attributes.String("mode", mode))
            .Build();
        model.Graph.Output.Add(TestTensors.UnshapedFloat("Y"));

        UpgradeAssert.KeepsOutputs(model, TestTensors.Random("X", [1, 2, 4, 8], seed: 16));
    }

    [TestMethod]
    public void Resize_10_shrinking_in_nearest_mode_is_reported()
    {
        var model = new ModelBuilder(opset: 10)
            .Input("X", DataTypes.Float, 1, 2, 4, 4)
            .Output("Y", DataTypes.Float, 1, 2, 2, 2)
            .Initializer("scales", [4], [1f, 1f, 0.5f, 0.5f])
            .Node("Resize", ["X", "scales"], ["Y"], "shrink")
            .Build();

        var error = UpgradeAssert.Fails(model, ErrorCodes.OperatorUsageNotUpgradable, "shrink");

        StringAssert.Contains(error.Message, "0.5");
    }

    [TestMethod]
    public void Reshape_with_a_legacy_shape_attribute_gets_a_shape_input()
    {
        // Opset 5 moved Reshape's shape to an input; some old exporters still wrote the attribute. The original
        // does not load in ONNX Runtime, so the upgraded model is checked against the reshaped data.
        var model = new ModelBuilder(opset: 7)
            .Input("X", DataTypes.Float, 2, 6)
            .Output("Y", DataTypes.Float, 3, 4)
            .Node("Reshape", ["X"], ["Y"], "reshape", Attributes.Ints("shape", 3, -1))
            .Build();
        var input = TestTensors.Random("X", [2, 6], seed: 17);

        Assert.AreEqual(7L, Amct.Engine.Graph.Opset.OpsetUpgrade.Apply(model, "model.onnx"));

        var output = OrtRunner.Run(model, input).Single();
        CollectionAssert.AreEqual(new long[] { 3, 4 }, output.Dims.ToArray());
        CollectionAssert.AreEqual(TensorData.ToArray<float>(input), TensorData.ToArray<float>(output));
    }
}
