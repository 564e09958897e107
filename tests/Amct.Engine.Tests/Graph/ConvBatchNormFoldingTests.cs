using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Graph;

[TestClass]
public sealed class ConvBatchNormFoldingTests
{
    private static readonly HashSet<string> NoSkips = [];

    [TestMethod]
    public void Conv_with_bias_and_batch_norm_fold_into_one_conv_with_the_same_outputs()
    {
        var model = ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [2, 3, 6, 6], group: 1, withBias: true);
        var input = TestTensors.Random("X", [2, 3, 6, 6], seed: 1);
        var before = OrtRunner.Run(model, input);

        var folded = ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx");

        Assert.HasCount(1, folded);
        Assert.AreEqual(new FoldedBatchNormalization("conv", "bn"), folded[0]);
        Assert.IsFalse(model.Graph.Node.Any(n => n.OpType == "BatchNormalization"), "the BatchNormalization is gone");
        var conv = model.Graph.Node.Single();
        Assert.AreEqual("Y", conv.Output[0], "the conv took over the BatchNormalization's output name");
        TestTensors.AssertAllClose(before, OrtRunner.Run(model, input), 1e-5);
    }

    [TestMethod]
    public void Conv_without_bias_gets_a_bias_from_the_batch_norm_shift()
    {
        var model = ConvBatchNorm("Conv", weightDims: [5, 2, 1, 1], inputDims: [1, 2, 4, 4], group: 1, withBias: false);
        var input = TestTensors.Random("X", [1, 2, 4, 4], seed: 2);
        var before = OrtRunner.Run(model, input);

        ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx");

        var conv = model.Graph.Node.Single();
        Assert.HasCount(3, conv.Input, "a bias input was added");
        TestTensors.AssertAllClose(before, OrtRunner.Run(model, input), 1e-5);
    }

    [TestMethod]
    public void Grouped_conv_folds_per_output_channel()
    {
        // 6 output channels in 3 groups of 2, each group reading 2 of the 6 input channels.
        var model = ConvBatchNorm("Conv", weightDims: [6, 2, 3, 3], inputDims: [1, 6, 5, 5], group: 3, withBias: true);
        var input = TestTensors.Random("X", [1, 6, 5, 5], seed: 3);
        var before = OrtRunner.Run(model, input);

        Assert.HasCount(1, ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx"));
        TestTensors.AssertAllClose(before, OrtRunner.Run(model, input), 1e-5);
    }

    [TestMethod]
    public void Grouped_conv_transpose_folds_along_weight_axis_1_within_each_group()
    {
        // Weight [C=4, M/group=3, 3, 3] with 2 groups: 6 output channels, channel of [ci, j] = (ci / 2)·3 + j.
        var model = ConvBatchNorm("ConvTranspose", weightDims: [4, 3, 3, 3], inputDims: [1, 4, 3, 3], group: 2, withBias: true,
            Attributes.Ints("strides", 2, 2));
        var input = TestTensors.Random("X", [1, 4, 3, 3], seed: 4);
        var before = OrtRunner.Run(model, input);

        var folded = ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx");

        Assert.HasCount(1, folded);
        Assert.AreEqual("ConvTranspose", model.Graph.Node.Single().OpType);
        TestTensors.AssertAllClose(before, OrtRunner.Run(model, input), 1e-5);
    }

    [TestMethod]
    public void Conv_transpose_without_groups_folds_too()
    {
        var model = ConvBatchNorm("ConvTranspose", weightDims: [3, 5, 2, 2], inputDims: [2, 3, 4, 4], group: 1, withBias: false);
        var input = TestTensors.Random("X", [2, 3, 4, 4], seed: 5);
        var before = OrtRunner.Run(model, input);

        Assert.HasCount(1, ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx"));
        TestTensors.AssertAllClose(before, OrtRunner.Run(model, input), 1e-5);
    }

    [TestMethod]
    public void A_conv_in_the_skip_list_keeps_its_batch_norm()
    {
        var model = ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [1, 3, 6, 6], group: 1, withBias: true);
        var original = model.Clone();

        var folded = ConvBatchNormFolding.Apply(model.Graph, new HashSet<string> { "conv" }, "model.onnx");

        Assert.IsEmpty(folded);
        Assert.AreEqual(original, model, "nothing changed");
    }

    [TestMethod]
    public void A_skip_list_entry_that_names_no_convolution_is_an_error()
    {
        var model = ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [1, 3, 6, 6], group: 1, withBias: true);

        var error = Assert.ThrowsExactly<AmctException>(() =>
            ConvBatchNormFolding.Apply(model.Graph, new HashSet<string> { "bn", "conv9" }, "model.onnx"));

        Assert.AreEqual(ErrorCodes.SkipFusionLayerUnknown, error.Code);
        Assert.AreEqual("model.onnx", error.Target);
        StringAssert.Contains(error.Message, "'bn', 'conv9'");
    }

    [TestMethod]
    public void A_conv_output_read_by_another_node_as_well_is_not_folded()
    {
        var model = ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [1, 3, 6, 6], group: 1, withBias: true);
        model.Graph.Node.Add(new NodeProto { OpType = "Relu", Name = "relu", Input = { "conv_out" }, Output = { "R" } });
        model.Graph.Output.Add(ModelBuilder.Value("R", DataTypes.Float, [1, 4, 6, 6]));
        var original = model.Clone();

        Assert.IsEmpty(ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx"));
        Assert.AreEqual(original, model);
    }

    [TestMethod]
    public void A_conv_output_that_is_also_a_graph_output_is_not_folded()
    {
        var model = ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [1, 3, 6, 6], group: 1, withBias: true);
        model.Graph.Output.Add(ModelBuilder.Value("conv_out", DataTypes.Float, [1, 4, 6, 6]));

        Assert.IsEmpty(ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx"));
    }

    [TestMethod]
    public void A_weight_shared_with_another_conv_is_copied_not_changed()
    {
        // conv (→ bn → Y) and conv2 (→ Y2) read the same weight and bias; only conv's copy may change.
        var model = ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [1, 3, 6, 6], group: 1, withBias: true);
        model.Graph.Node.Add(new NodeProto
        {
            OpType = "Conv", Name = "conv2", Input = { "X", "W", "B" }, Output = { "Y2" },
            Attribute = { Attributes.Ints("pads", 1, 1, 1, 1) },
        });
        model.Graph.Output.Add(ModelBuilder.Value("Y2", DataTypes.Float, [1, 4, 6, 6]));
        var sharedWeight = model.Graph.Initializer.Single(t => t.Name == "W").Clone();
        var sharedBias = model.Graph.Initializer.Single(t => t.Name == "B").Clone();
        var input = TestTensors.Random("X", [1, 3, 6, 6], seed: 6);
        var before = OrtRunner.Run(model, input);

        Assert.HasCount(1, ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx"));

        Assert.AreEqual(sharedWeight, model.Graph.Initializer.Single(t => t.Name == "W"), "the shared weight is unchanged");
        Assert.AreEqual(sharedBias, model.Graph.Initializer.Single(t => t.Name == "B"), "the shared bias is unchanged");
        var conv = model.Graph.Node.Single(n => n.Name == "conv");
        Assert.AreNotEqual("W", conv.Input[1]);
        Assert.AreNotEqual("B", conv.Input[2]);
        TestTensors.AssertAllClose(before, OrtRunner.Run(model, input), 1e-5);
    }

    [TestMethod]
    public void Batch_norm_parameters_of_the_wrong_length_are_reported()
    {
        var model = ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [1, 3, 6, 6], group: 1, withBias: true);
        var scale = model.Graph.Initializer.Single(t => t.Name == "scale");
        model.Graph.Initializer.Remove(scale);
        model.Graph.Initializer.Add(TensorData.FromArray<float>("scale", [3], [1f, 2f, 3f]));

        var error = Assert.ThrowsExactly<AmctException>(() => ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx"));

        Assert.AreEqual(ErrorCodes.BatchNormalizationMismatch, error.Code);
        StringAssert.Contains(error.Message, "'bn'");
        StringAssert.Contains(error.Message, "'conv'");
    }

    [TestMethod]
    public void A_batch_norm_after_a_non_constant_weight_is_left_alone()
    {
        var model = ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [1, 3, 6, 6], group: 1, withBias: true);
        // The weight becomes a graph input: it is only known at run time.
        model.Graph.Initializer.Remove(model.Graph.Initializer.Single(t => t.Name == "W"));
        model.Graph.Input.Add(ModelBuilder.Value("W", DataTypes.Float, [4, 3, 3, 3]));

        Assert.IsEmpty(ConvBatchNormFolding.Apply(model.Graph, NoSkips, "model.onnx"));
        Assert.AreEqual(1, model.Graph.Node.Count(n => n.OpType == "BatchNormalization"));
    }

    /// <summary>
    /// X → conv (W, optional B) → conv_out → bn (scale, shift, mean, var; epsilon 1e-3) → Y, with deterministic,
    /// far-from-identity batch-norm statistics.
    /// </summary>
    internal static ModelProto ConvBatchNorm(string opType, long[] weightDims, long[] inputDims, long group, bool withBias,
        params AttributeProto[] extraAttributes)
    {
        var channels = opType == "Conv" ? weightDims[0] : weightDims[1] * group;
        var weightCount = (int)weightDims.Aggregate(1L, (a, b) => a * b);
        var c = (int)channels;
        var builder = new ModelBuilder()
            .Input("X", DataTypes.Float, inputDims)
            .Initializer("W", weightDims, TestTensors.Values(weightCount, seed: 10))
            .Initializer("scale", [channels], TestTensors.Values(c, seed: 11, low: 0.5f, high: 2f))
            .Initializer("shift", [channels], TestTensors.Values(c, seed: 12, low: -0.5f, high: 0.5f))
            .Initializer("mean", [channels], TestTensors.Values(c, seed: 13, low: -0.3f, high: 0.3f))
            .Initializer("var", [channels], TestTensors.Values(c, seed: 14, low: 0.2f, high: 3f));
        if (withBias)
        {
            builder.Initializer("B", [channels], TestTensors.Values(c, seed: 15));
        }
        var attributes = new List<AttributeProto> { Attributes.Int("group", group) };
        if (opType == "Conv")
        {
            var kernel = weightDims.Skip(2).Select(k => k / 2).ToArray();
            attributes.Add(Attributes.Ints("pads", [.. kernel, .. kernel]));
        }
        attributes.AddRange(extraAttributes);
        builder.Node(opType, withBias ? ["X", "W", "B"] : ["X", "W"], ["conv_out"], "conv", [.. attributes]);
        builder.Node("BatchNormalization", ["conv_out", "scale", "shift", "mean", "var"], ["Y"], "bn",
            Attributes.Float("epsilon", 1e-3f));
        var model = builder.Build();
        model.Graph.Output.Add(TestTensors.UnshapedFloat("Y"));
        return model;
    }
}
