using System.Globalization;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// Weight-only quantization (ActivationQuantization=None) on the digits CNN: int8 weights behind DequantizeLinear,
/// every activation and bias float, nothing calibrated; ONNX Runtime runs the layers in float on the dequantized
/// weights, the file shrinks to about a quarter and the outputs stay close to the float model's.
/// </summary>
[TestClass]
public sealed class WeightOnlyTests
{
    private static QuantizeRequest Request(string output) => QuantizationJobTests.DigitsRequest(output) with
    {
        CalibrationData = null,
        Activation = ActivationMode.None,
    };

    [TestMethod]
    public void Weights_are_int8_behind_dequantize_linear_and_activations_stay_float_without_calibration_data()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(Request(temp.Path), new CollectingLog());

        var graph = ModelLoader.Load(result.QuantizedModel).Graph;
        Assert.IsFalse(graph.Node.Any(n => n.OpType == "QuantizeLinear"), "no activation is quantized");
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var dequantized = graph.Node.Where(n => n.OpType == "DequantizeLinear").ToList();
        Assert.HasCount(6, result.Report.Layers);
        Assert.HasCount(6, dequantized, "one DequantizeLinear per weight, none for activations or biases");
        Assert.IsTrue(dequantized.All(n => initializers[n.Input[0]].DataType == DataTypes.Int8), "the weights are stored as int8");
        Assert.IsTrue(result.Report.Layers.All(l => l.ScaleD is null && !l.BiasQuantized), "no input factors, biases float");
        Assert.IsFalse(graph.Initializer.Any(t => t.DataType == DataTypes.Int32), "no int32 bias");
        Assert.IsTrue(graph.Node.Any(n => n.OpType == "Relu"), "no activation is folded into a quantizer");
        Assert.AreEqual("none needed", result.Report.Calibration.Source);
        Assert.AreEqual(0, result.Report.Calibration.Samples);
    }

    [TestMethod]
    public void Onnx_runtime_runs_the_layers_in_float_on_a_file_a_quarter_the_size_with_the_float_models_outputs()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(Request(temp.Path), new CollectingLog());

        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        var summary = string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Assert.IsFalse(ops.Keys.Any(k => k.StartsWith("QLinear", StringComparison.Ordinal) || k == "QGemm"), $"no int8 kernel: {summary}");
        Assert.IsGreaterThanOrEqualTo(4, ops.Where(o => o.Key.EndsWith("Conv", StringComparison.Ordinal)).Sum(o => o.Value), $"float convolutions: {summary}");
        var ratio = (double)new FileInfo(result.QuantizedModel).Length / new FileInfo(TestData.DigitsModel).Length;
        var evaluation = result.Report.Evaluation!;
        var output = evaluation.Outputs.Single();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"weight-only digits-cnn: size {ratio:0.000}x, cosine {output.CosineMean:0.00000}, SQNR {output.SqnrDb:0.0} dB, " +
            $"top-1 agreement {output.Top1Agreement:P2}, accuracy float {evaluation.FloatAccuracy!.Top1:P2} int8 {evaluation.QuantizedAccuracy!.Top1:P2}; ORT runs {summary}"));
        Assert.IsLessThanOrEqualTo(0.3, ratio, "int8 file / float file");
        Assert.IsGreaterThanOrEqualTo(0.999, output.CosineMean);
        Assert.IsGreaterThanOrEqualTo(0.99, output.Top1Agreement!.Value);
    }
}
