using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization;

/// <summary>A layer kept in float computes on float data, even inside a Concat block (SqueezeNet's fire modules).</summary>
[TestClass]
public sealed class SkippedLayerPlanTests
{
    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void A_float_expand_conv_takes_its_concat_and_its_sibling_output_with_it()
    {
        var model = ModelLoader.Load(SharedData.PathOf("squeezenet/squeezenet1.1.onnx"));
        GraphPreparation.Prepare(model, GraphPreparationOptions.Default, "squeezenet");
        var graph = model.Graph;
        // fire2: squeeze Conv_3 → Relu → expand1x1 Conv_5 / expand3x3 Conv_7 → Relu → Concat_9.
        var concat = graph.Node.First(n => n.OpType == "Concat");
        Assert.AreEqual("Concat_9", concat.Name);

        var full = PlanBuilder.Plan(graph, new PlanOptions());
        Assert.Contains(concat.Output[0], full.QuantizedTensors);

        var plan = PlanBuilder.Plan(graph, new PlanOptions { SkipLayers = new HashSet<string> { "Conv_5" } });
        Assert.IsTrue(concat.Input.All(i => !plan.QuantizedTensors.Contains(i)), "the Concat runs on float inputs");
        // Its output is still quantized, as the next int8 conv's input, but with factors of its own.
        Assert.HasCount(1, plan.Groups.Single(g => g.Contains(concat.Output[0])));
        Assert.IsFalse(plan.Folds.Any(f => concat.Input.Contains(f.Output)), "the Relus before the Concat stay: nothing else clamps");
        Assert.AreEqual("Conv_5", plan.Skipped.Single().Name);
        Assert.HasCount(25, plan.Layers);
    }
}
