using Amct.Engine.Latency;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Latency;

/// <summary>How the speed search groups layers: by kernel family, with the stem (a Conv on few channels and its readers) apart.</summary>
[TestClass]
public sealed class LayerGroupsTests
{
    [TestMethod]
    public void A_three_channel_stem_goes_with_the_layer_reading_it_through_a_pool_and_the_rest_by_kind()
    {
        // SqueezeNet's start: conv1 on the RGB image, Relu, MaxPool, then a 1×1 squeeze and a 3×3 expand.
        var model = new ModelBuilder().Input("image", DataTypes.Float, 1, 3, 16, 16);
        Conv(model, "image", "conv1", 3, 8, 3);
        model.Node("MaxPool", ["conv1.relu"], ["pool1"], "pool1",
            ModelBuilder.IntsAttribute("kernel_shape", 2, 2), ModelBuilder.IntsAttribute("strides", 2, 2));
        Conv(model, "pool1", "squeeze", 8, 4, 1);
        Conv(model, "squeeze.relu", "expand", 4, 8, 3);

        var groups = Groups(model.Output("expand.relu", DataTypes.Float, 1, 8, 8, 8).Build());

        Assert.AreEqual($"{LayerGroups.Stem}: conv1 squeeze; {LayerGroups.Standard}: expand", Describe(groups));
    }

    [TestMethod]
    public void Input_channels_in_fours_make_no_stem()
    {
        var model = new ModelBuilder().Input("image", DataTypes.Float, 1, 4, 8, 8);
        Conv(model, "image", "conv1", 4, 8, 3);
        Conv(model, "conv1.relu", "pw", 8, 8, 1);

        var groups = Groups(model.Output("pw.relu", DataTypes.Float, 1, 8, 8, 8).Build());

        Assert.AreEqual($"{LayerGroups.Pointwise}: pw; {LayerGroups.Standard}: conv1", Describe(groups));
    }

    [TestMethod]
    public void A_stem_read_through_an_activation_only_stays_alone()
    {
        // Stem Conv, Relu, then the first depthwise Conv: a quantize after the Relu stays where it is.
        var groups = Groups(ConvNets.DepthwiseSeparable(channels: 8, blocks: 2, height: 16, width: 16));

        Assert.AreEqual($"{LayerGroups.Stem}: stem; {LayerGroups.Depthwise}: dw0 dw1; {LayerGroups.Pointwise}: pw0 pw1", Describe(groups));
    }

    [TestMethod]
    public void A_join_ends_the_stem()
    {
        // A residual Add after the stem: the layer after the join is not the stem's.
        var model = new ModelBuilder().Input("image", DataTypes.Float, 1, 3, 8, 8);
        Conv(model, "image", "conv1", 3, 8, 3);
        Conv(model, "image", "side", 3, 8, 3);
        model.Node("Add", ["conv1.relu", "side.relu"], ["sum"], "add");
        Conv(model, "sum", "after", 8, 8, 3);

        var groups = Groups(model.Output("after.relu", DataTypes.Float, 1, 8, 8, 8).Build());

        Assert.AreEqual($"{LayerGroups.Stem}: conv1 side; {LayerGroups.Standard}: after", Describe(groups));
    }

    private static IReadOnlyList<LayerGroup> Groups(ModelProto model) =>
        LayerGroups.Of(model.Graph, PlanBuilder.Plan(model.Graph, new PlanOptions()).Layers);

    private static string Describe(IReadOnlyList<LayerGroup> groups) =>
        string.Join("; ", groups.Select(g => $"{g.Kind}: {string.Join(' ', g.Layers)}"));

    /// <summary>A Conv (padding keeps the size) and its Relu, output <c>name.relu</c>.</summary>
    private static void Conv(ModelBuilder model, string input, string name, int inChannels, int outChannels, int kernel) =>
        model.Initializer($"{name}.w", [outChannels, inChannels, kernel, kernel], ModelBuilder.Pattern(outChannels * inChannels * kernel * kernel))
            .Initializer($"{name}.b", [outChannels], ModelBuilder.Pattern(outChannels, 0.1))
            .Node("Conv", [input, $"{name}.w", $"{name}.b"], [$"{name}.conv"], name,
                ModelBuilder.IntsAttribute("kernel_shape", kernel, kernel), ModelBuilder.IntsAttribute("pads", kernel / 2, kernel / 2, kernel / 2, kernel / 2))
            .Node("Relu", [$"{name}.conv"], [$"{name}.relu"], $"{name}_relu");
}
