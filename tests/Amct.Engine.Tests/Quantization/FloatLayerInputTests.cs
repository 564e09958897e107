using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Tests.Quantization;

/// <summary>
/// A Conv kept in float whose input tensor stays quantized for an int8 sibling reads the float tensor. Reading the
/// dequantized one, it would not stay float: when it loads the model, ONNX Runtime quantizes the constant float weight
/// (per tensor) and bias of a Conv/Gemm/MatMul that a DequantizeLinear feeds and whose output reaches a QuantizeLinear.
/// </summary>
[TestClass]
public sealed class FloatLayerInputTests
{
    [TestMethod]
    public void A_skipped_conv_beside_an_int8_sibling_stays_float_in_onnx_runtime()
    {
        using var folder = new TempFolder();
        // x → Conv A → Relu → t; t → Conv B (int8) → b; t → Conv C (kept float) → Relu → Conv D (int8) → d.
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 1, 4, 8, 8)
            .Initializer("wa", [8, 4, 3, 3], ModelBuilder.Pattern(8 * 4 * 9, 0.3))
            .Initializer("ba", [8], ModelBuilder.Pattern(8, 0.1, 1))
            .Initializer("wb", [6, 8, 1, 1], ModelBuilder.Pattern(6 * 8, 0.4, 2))
            .Initializer("wc", [5, 8, 3, 3], ModelBuilder.Pattern(5 * 8 * 9, 0.2, 3))
            .Node("Conv", ["x", "wa", "ba"], ["a"], "A", ModelBuilder.IntsAttribute("pads", 1, 1, 1, 1))
            .Node("Relu", ["a"], ["t"], "R")
            .Node("Conv", ["t", "wb"], ["b"], "B")
            .Initializer("wd", [3, 5, 1, 1], ModelBuilder.Pattern(3 * 5, 0.5, 4))
            .Node("Conv", ["t", "wc"], ["c"], "C", ModelBuilder.IntsAttribute("pads", 1, 1, 1, 1))
            .Node("Relu", ["c"], ["cr"], "CR")
            .Node("Conv", ["cr", "wd"], ["d"], "D")
            .Output("b", DataTypes.Float, 1, 6, 8, 8)
            .Output("d", DataTypes.Float, 1, 3, 8, 8)
            .Build();
        var modelPath = folder.File("model.onnx");
        ModelBuilder.Write(model, modelPath);
        var samples = Enumerable.Range(0, 8 * 4 * 8 * 8).Select(i => (float)Math.Sin(i * 0.37) * 2).ToArray();
        NpyWriter.Write(folder.File("calib.npy"), [8, 4, 8, 8], samples.AsSpan());

        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = modelPath,
            CalibrationData = folder.File("calib.npy"),
            OutputDirectory = folder.File("out"),
            SkipLayers = ["C"],
            QualityFloor = false,
            MeasureLatency = false,
            OptimizeFor = Amct.Engine.Latency.OptimizeFor.Size,
        }, new CollectingLog());

        var int8 = ModelLoader.Load(result.QuantizedModel);
        var c = int8.Graph.Node.Single(n => n.Name == "C");
        var b = int8.Graph.Node.Single(n => n.Name == "B");
        Assert.IsTrue(int8.Graph.Node.Any(n => n.OpType == "DequantizeLinear" && n.Output[0] == b.Input[0]), "B reads the int8 tensor");
        // What ONNX Runtime makes of it when it loads the model: C's weight must still be the float constant.
        var optimized = folder.File("optimized.onnx");
        using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, OptimizedModelFilePath = optimized })
        using (new InferenceSession(int8.ToByteArray(), options))
        {
        }
        var loaded = ModelLoader.Load(optimized);
        var weight = loaded.Graph.Node.Single(n => n.Output.Contains(c.Output[0])).Input[1];
        Assert.IsFalse(loaded.Graph.Node.Any(n => n.Output.Contains(weight)), $"C's weight '{weight}' is computed (ONNX Runtime quantized it)");
        var values = TensorData.ToArray<float>(loaded.Graph.Initializer.Single(t => t.Name == weight));
        CollectionAssert.AreEqual(ModelBuilder.Pattern(5 * 8 * 9, 0.2, 3), values);
        // A's Relu was folded into t's quantizer for B; C gets it back, on float values.
        var cInput = int8.Graph.Node.Single(n => n.Output.Contains(c.Input[0]));
        Assert.AreEqual("Relu", cInput.OpType);
        Assert.AreEqual("A", int8.Graph.Node.Single(n => n.Output.Contains(cInput.Input[0])).Name);
    }
}
