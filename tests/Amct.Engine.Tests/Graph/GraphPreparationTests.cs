using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Graph;

[TestClass]
public sealed class GraphPreparationTests
{
    [TestMethod]
    public void An_opset_9_model_is_renamed_upgraded_folded_and_cleaned_with_the_same_outputs()
    {
        // Unnamed Conv → BatchNormalization(spatial) → Dropout(ratio) → Softmax(axis 1 over [N, 4·5·5]); plus a
        // dead Sigmoid branch.
        var model = ConvBatchNormFoldingTests.ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [2, 3, 5, 5], group: 1, withBias: true);
        model.OpsetImport[0].Version = 9;
        model.IrVersion = 4;
        var graph = model.Graph;
        graph.Node[0].Name = "";
        graph.Node[1].Output[0] = "bn_out";
        graph.Output.Clear();
        graph.Output.Add(TestTensors.UnshapedFloat("Y"));
        graph.Node.Add(new NodeProto { OpType = "Dropout", Name = "drop", Input = { "bn_out" }, Output = { "d" }, Attribute = { Attributes.Float("ratio", 0.2f) } });
        graph.Node.Add(new NodeProto { OpType = "Softmax", Input = { "d" }, Output = { "Y" } });
        graph.Node.Add(new NodeProto { OpType = "Sigmoid", Name = "dead", Input = { "d" }, Output = { "unused" } });
        var input = TestTensors.Random("X", [2, 3, 5, 5], seed: 1);
        var before = OrtRunner.Run(model, input);

        var result = GraphPreparation.Prepare(model, GraphPreparationOptions.Default, "model.onnx");

        CollectionAssert.AreEqual(new[] { new NodeRename(0, "", "Conv_0"), new NodeRename(3, "", "Softmax_3") }, result.RenamedNodes.ToArray());
        Assert.AreEqual(9L, result.UpgradedFromOpset);
        CollectionAssert.AreEqual(new[] { new FoldedBatchNormalization("Conv_0", "bn") }, result.FoldedBatchNormalizations.ToArray());
        CollectionAssert.AreEqual(new[] { "dead" }, result.RemovedNodes.ToArray());
        CollectionAssert.AreEquivalent(new[] { "scale", "shift", "mean", "var" }, result.RemovedInitializers.ToArray());
        Assert.AreEqual(13L, model.OpsetImport[0].Version);
        Assert.AreEqual(7L, model.IrVersion);
        CollectionAssert.AreEqual(new[] { "Conv", "Dropout", "Flatten", "Softmax", "Shape", "Reshape" },
            graph.Node.Select(n => n.OpType).ToArray());
        TestTensors.AssertAllClose(before, OrtRunner.Run(model, input), 1e-5);
    }

    [TestMethod]
    public void Folding_can_be_turned_off_or_skipped_per_layer()
    {
        var off = ConvBatchNormFoldingTests.ConvBatchNorm("Conv", weightDims: [4, 3, 3, 3], inputDims: [1, 3, 5, 5], group: 1, withBias: true);
        var skipped = off.Clone();

        var offResult = GraphPreparation.Prepare(off, new GraphPreparationOptions { FoldBatchNormalization = false }, "model.onnx");
        var skippedResult = GraphPreparation.Prepare(skipped,
            new GraphPreparationOptions { SkipFusionLayers = new HashSet<string> { "conv" } }, "model.onnx");

        Assert.IsEmpty(offResult.FoldedBatchNormalizations);
        Assert.IsEmpty(skippedResult.FoldedBatchNormalizations);
        Assert.HasCount(2, off.Graph.Node);
        Assert.HasCount(2, skipped.Graph.Node);
    }

    [TestMethod]
    public void Preparing_is_deterministic()
    {
        var first = ConvBatchNormFoldingTests.ConvBatchNorm("ConvTranspose", weightDims: [4, 3, 3, 3], inputDims: [1, 4, 3, 3], group: 2, withBias: false);
        first.OpsetImport[0].Version = 8;
        first.Graph.Node[0].Name = "";
        var second = first.Clone();

        GraphPreparation.Prepare(first, GraphPreparationOptions.Default, "model.onnx");
        GraphPreparation.Prepare(second, GraphPreparationOptions.Default, "model.onnx");

        Assert.AreEqual(first, second);
    }

    [TestMethod]
    public void The_digits_model_prepares_to_the_same_outputs()
    {
        var path = TestData.DigitsModel;
        var model = ModelLoader.Load(path);
        var input = TestTensors.Random("input", [4, 1, 8, 8], seed: 2, low: 0, high: 1);
        var before = OrtRunner.Run(model, input);

        var result = GraphPreparation.Prepare(model, GraphPreparationOptions.Default, path);

        Assert.IsNull(result.UpgradedFromOpset, "already at opset 13");
        TestTensors.AssertAllClose(before, OrtRunner.Run(model, input), 1e-5);
    }
}
