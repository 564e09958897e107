using Amct.Engine.Onnx;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using Amct.Qat.Training;
using Amct.TestSupport;
using static TorchSharp.torch;

namespace Amct.Qat.Tests;

/// <summary>
/// AdaRound's layer step on the committed digits CNN at 3-bit weights (int8 storage, codes in [-4, 3]): one layer's
/// learned rounding against round-to-nearest (the whole job: <see cref="RetrainJobTests"/>).
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class AdaRoundTests
{
    [TestMethod]
    public void Learned_rounding_reproduces_a_conv_layers_output_on_held_out_samples_better_than_rounding_to_nearest()
    {
        TorchRuntime.EnsureLoaded(1);
        using var scope = NewDisposeScope();
        var model = ModelLoader.Load(TestData.DigitsModel);
        using var graph = new OnnxGraph(model, TestData.DigitsModel);
        var conv = model.Graph.Node.Where(n => n.OpType == "Conv").ElementAt(1); // the second conv: inputs from a trained layer
        var weight = graph.Constants[conv.Input[1]];
        var scale = weight.abs().amax([1, 2, 3], keepdim: true) / 3; // per output channel, symmetric, codes in [-4, 3]
        var training = Inputs(graph, conv, QatData.ToTorch(QatData.AllSamples(model, TestData.DigitsCalibration)));
        var heldOut = Inputs(graph, conv, QatData.ToTorch(QatData.HeldOutBatch(model)));
        using var rounding = new LayerRounding(conv, conv.Input[1], weight, scale, -4, 3);

        var codes = rounding.Learn(training, rounding.Targets(training), steps: 500, stop: () => false, stepDone: () => { });

        var targets = rounding.Targets(heldOut);
        var nearest = rounding.Error(rounding.NearestCodes(), heldOut, targets);
        var learned = rounding.Error(codes, heldOut, targets);
        Console.WriteLine($"conv '{conv.Name}' W3, output MSE on 497 held-out samples: nearest {nearest:g4}, AdaRound {learned:g4}");
        Assert.IsLessThan(0.8 * nearest, learned, "learned rounding cuts the output error by a fifth at least");
        Assert.IsTrue((codes >= -4).all().item<bool>() && (codes <= 3).all().item<bool>(), "codes stay in the 3-bit range");
    }

    /// <summary>The conv's inputs on the float model, in 4 batches (the weight's slot empty).</summary>
    private static List<Tensor?[]> Inputs(OnnxGraph graph, NodeProto conv, Tensor samples)
    {
        using var noGrad = no_grad();
        var x = graph.Run(new Dictionary<string, Tensor> { [graph.Inputs[0]] = samples }, [conv.Input[0]], null)[0];
        var bias = conv.Input.Count > 2 ? graph.Constants[conv.Input[2]] : null;
        return x.chunk(4).Select(chunk => new Tensor?[] { chunk, null, bias }).ToList();
    }
}
