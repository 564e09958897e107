using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Refinement;

/// <summary>RangeRefinement: activation ranges scored at the network's outputs, in whole quantization jobs.</summary>
[TestClass]
public sealed class RangeRefinementJobTests
{
    /// <summary>
    /// Two channels carry the same heavy-tailed signal s (exponential, mean 0.3) plus and minus a small difference d
    /// (±0.025); two identity 1×1 convolutions with Relu pass them on, and the last convolution outputs their difference:
    /// the network computes d. Every per-tensor range method keeps most of s's tail (clipping it is costly at the
    /// tensor), and so does the per-layer choice (auto) for the first two tensors, whose readers only copy them. At the
    /// output clipping s costs next to nothing (both channels clip alike, so the difference survives) while every
    /// rounding step lands on the small d: a tighter range for every tensor is better there, which only a score at
    /// the network's output shows. Refinement must raise the held-out output SQNR clearly on top of both IFMR and auto.
    /// </summary>
    [TestMethod]
    public void Ranges_scored_at_the_network_output_beat_per_tensor_and_per_layer_choices_on_held_out_data()
    {
        using var temp = new TempFolder();
        var identity = new[] { 1f, 0f, 0f, 1f };
        var model = new ModelBuilder()
            .Input("X", DataTypes.Float, 1, 2, 16, 16)
            .Output("Y", DataTypes.Float, 1, 1, 16, 16)
            .Initializer("I1", [2, 2, 1, 1], identity)
            .Initializer("I2", [2, 2, 1, 1], identity)
            .Initializer("D", [1, 2, 1, 1], [1f, -1f])
            .Node("Conv", ["X", "I1"], ["A"], "copy1")
            .Node("Relu", ["A"], ["H"], "relu1")
            .Node("Conv", ["H", "I2"], ["B"], "copy2")
            .Node("Relu", ["B"], ["G"], "relu2")
            .Node("Conv", ["G", "D"], ["Y"], "difference")
            .Build();
        var modelPath = Path.Combine(temp.Path, "model.onnx");
        ModelBuilder.Write(model, modelPath);
        var (calibration, evaluation) = (Path.Combine(temp.Path, "calibration.npy"), Path.Combine(temp.Path, "evaluation.npy"));
        NpyWriter.Write<float>(calibration, [64, 2, 16, 16], SignalAndDifference(64, seed: 1));
        NpyWriter.Write<float>(evaluation, [32, 2, 16, 16], SignalAndDifference(32, seed: 2));
        var request = new QuantizeRequest
        {
            ModelPath = modelPath, CalibrationData = calibration, EvaluationData = evaluation, OutputDirectory = temp.Path,
            QualityFloor = false, MeasureLatency = false,
        };
        var log = new CollectingLog();
        QuantReport Run(string name, QuantizeRequest r) =>
            QuantizationJob.Run(r with { OutputDirectory = Path.Combine(temp.Path, name) }, log).Report;

        var ifmr = Sqnr(Run("ifmr", request));
        var auto = Sqnr(Run("auto", request with { Method = "auto" }));
        var refinedReport = Run("refined", request with { RangeRefinement = true });
        var refined = Sqnr(refinedReport);
        var autoRefined = Sqnr(Run("auto-refined", request with { Method = "auto", RangeRefinement = true }));

        var refinement = string.Join("; ", log.Messages.Where(m => m.StartsWith("range refinement", StringComparison.Ordinal)));
        Assert.IsGreaterThan(ifmr + 1.5, refined, $"ifmr {ifmr:0.00} dB, refined {refined:0.00} dB ({refinement})");
        Assert.IsGreaterThan(auto + 1, autoRefined, $"auto {auto:0.00} dB, auto refined {autoRefined:0.00} dB ({refinement})");
        var x = refinedReport.Tensors.Single(t => t.Name == "X");
        StringAssert.Contains(x.Algorithm, "(range refinement)", x.Algorithm);
    }

    [TestMethod]
    public void Off_by_default_and_the_same_inputs_give_the_same_bytes()
    {
        Assert.IsFalse(new QuantizeRequest { ModelPath = "m.onnx", OutputDirectory = "out" }.RangeRefinement);
        using var temp = new TempFolder();
        var request = new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel, CalibrationData = TestData.DigitsCalibration, OutputDirectory = temp.Path, SampleCount = 32,
            RangeRefinement = true, MeasureLatency = false,
        };
        var first = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "a") }, new CollectingLog());
        var second = QuantizationJob.Run(request with { OutputDirectory = Path.Combine(temp.Path, "b") }, new CollectingLog());
        CollectionAssert.AreEqual(File.ReadAllBytes(first.QuantizedModel), File.ReadAllBytes(second.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(first.RecordFile), File.ReadAllBytes(second.RecordFile));
    }

    private static double Sqnr(QuantReport report) => report.Evaluation!.Outputs[0].SqnrDb;

    /// <summary>Samples [count, 2, 16, 16]: channel 0 holds s + d/2, channel 1 s − d/2, s ~ Exp(mean 0.3), d ~ U(−0.05, 0.05).</summary>
    private static float[] SignalAndDifference(int count, int seed)
    {
        var random = new Random(seed);
        var values = new float[count * 2 * 256];
        for (var n = 0; n < count; n++)
        {
            for (var i = 0; i < 256; i++)
            {
                var s = -0.3 * Math.Log(1 - random.NextDouble());
                var d = (random.NextDouble() - 0.5) * 0.05;
                values[(n * 512) + i] = (float)(s + (d / 2));
                values[(n * 512) + 256 + i] = (float)(s - (d / 2));
            }
        }
        return values;
    }
}
