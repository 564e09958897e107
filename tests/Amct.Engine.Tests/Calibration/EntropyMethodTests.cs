using Amct.Engine.Calibration;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Tests.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Calibration;

/// <summary>
/// The KL threshold search (issue 17, item 7): it once counted every value of a signed tensor a second time as a zero
/// and let a ReLU's exact zeros dominate the divergence, so it clipped to a fraction of the data and broke models
/// (digits CNN: 5.6 dB output SQNR, SqueezeNet: 61 % top-1 agreement).
/// </summary>
[TestClass]
public sealed class EntropyMethodTests
{
    private static TensorObservation Observe(IEnumerable<float> values)
    {
        var observation = new TensorObservation("t", true);
        observation.Add(values.ToArray());
        return observation;
    }

    /// <summary>n evenly spaced values from <paramref name="low"/> to <paramref name="high"/> inclusive.</summary>
    private static IEnumerable<float> Even(int n, double low, double high) =>
        Enumerable.Range(0, n).Select(i => (float)(low + ((high - low) * i / (n - 1))));

    /// <summary>
    /// Uniform magnitudes on [0, 1]: at the full range (threshold = all 2048 bins) the reference P is flat and so is its
    /// 256- or 128-level quantized Q, so KL(P‖Q) is 0. Any smaller threshold folds the rest of the values into P's last
    /// bin, a spike Q spreads over its group, so KL &gt; 0. The search must therefore keep the whole range, [0, 1] or
    /// [−1, 1]. Exact zeros added to the data change nothing: 0 is on every grid.
    /// </summary>
    [TestMethod]
    [DataRow(0.0, false, DisplayName = "non-negative")]
    [DataRow(-1.0, false, DisplayName = "signed (magnitudes of both signs)")]
    [DataRow(0.0, true, DisplayName = "non-negative with as many exact zeros")]
    [DataRow(-1.0, true, DisplayName = "signed with as many exact zeros")]
    public void Uniform_magnitudes_keep_the_full_range(double low, bool zeros)
    {
        var values = Even(100_001, low, 1);
        if (zeros)
        {
            values = values.Concat(new float[100_001]);
        }
        var range = new EntropyMethod().Compute(Observe(values), ActivationMode.Asymmetric);
        var bin = 1.0 / 2048;
        Assert.AreEqual(low, range.Min, bin, $"min {range.Min}");
        Assert.AreEqual(1.0, range.Max, bin, $"max {range.Max}");
    }

    [TestMethod]
    public void A_signed_gaussian_is_clipped_in_its_tail_not_in_its_bulk()
    {
        // Before the fix every value was counted once more as a zero, and the search clipped at 1.95σ.
        var random = new Random(5);
        var observation = Observe(Enumerable.Range(0, 500_000).Select(_ => (float)HistogramTests.NextGaussian(random)));
        var range = new EntropyMethod().Compute(observation, ActivationMode.Asymmetric);
        Assert.IsGreaterThan(3.5, range.Max, $"clipped at {range.Max} (max {observation.Max})");
        Assert.IsLessThan(-3.5, range.Min, $"clipped at {range.Min} (min {observation.Min})");
    }

    [TestMethod]
    public void A_relu_output_is_clipped_where_its_positive_part_alone_would_be()
    {
        // Half the values are exact zeros. Before the fix their spike made the search clip at 1.3σ (of max 5.2).
        var random = new Random(5);
        var gaussian = Enumerable.Range(0, 500_000).Select(_ => (float)HistogramTests.NextGaussian(random)).ToArray();
        var relu = new EntropyMethod().Compute(Observe(gaussian.Select(v => Math.Max(0, v))), ActivationMode.Asymmetric);
        var positive = new EntropyMethod().Compute(Observe(gaussian.Where(v => v > 0)), ActivationMode.Asymmetric);
        Assert.IsGreaterThan(3.5, relu.Max, $"clipped at {relu.Max}");
        Assert.AreEqual(positive.Max, relu.Max, 0.02 * positive.Max, $"with zeros {relu.Max}, without {positive.Max}");
    }

    [TestMethod]
    public void Counting_exact_zeros_covers_every_path_of_the_histogram()
    {
        var histogram = new StreamingHistogram();
        histogram.Add(new float[5]);                        // a constant batch before any range exists
        histogram.Add([0f, 1f, -0f, 2f, 0f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 0f, 1e-30f, -1e-30f, 0f, 0f]); // vector and tail
        Assert.AreEqual(5 + 6, histogram.Zeros);
    }

    [TestMethod]
    public void The_digits_cnn_quantized_with_entropy_agrees_with_float()
    {
        // Before the fix: 98.99 % agreement and 5.57 dB output SQNR; the other methods give 42.3–42.8 dB.
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(QuantizationJobTests.DigitsRequest(temp.Path) with { Method = "entropy" }, new CollectingLog());
        var output = result.Report.Evaluation!.Outputs.Single();
        Assert.AreEqual(1.0, output.Top1Agreement!.Value, $"agreement {output.Top1Agreement:P2}");
        Assert.IsGreaterThan(40.0, output.SqnrDb, $"SQNR {output.SqnrDb:0.00} dB");
    }
}
