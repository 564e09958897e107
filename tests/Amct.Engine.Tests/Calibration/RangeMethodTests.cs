using Amct.Engine.Calibration;
using Amct.Engine.Quantization;

namespace Amct.Engine.Tests.Calibration;

[TestClass]
public sealed class RangeMethodTests
{
    /// <summary>Post-ReLU-like data: a million half-normal values and three far outliers.</summary>
    private static TensorObservation Observe(bool histogram = true)
    {
        var random = new Random(11);
        var values = Enumerable.Range(0, 1_000_000).Select(_ => (float)Math.Abs(HistogramTests.NextGaussian(random))).ToList();
        values.AddRange([30f, 25f, 40f]);
        var observation = new TensorObservation("t", histogram);
        observation.Add(values.ToArray());
        return observation;
    }

    [TestMethod]
    public void MinMax_keeps_the_outliers()
    {
        var range = new MinMaxMethod().Compute(Observe(false), ActivationMode.Asymmetric);
        Assert.AreEqual(40.0, range.Max);
    }

    [TestMethod]
    [DataRow("entropy")]
    [DataRow("percentile")]
    public void Distribution_methods_clip_rare_far_outliers(string name)
    {
        Assert.IsTrue(RangeMethods.TryCreate(name, out var method));
        var range = method.Compute(Observe(), ActivationMode.Asymmetric);
        Assert.IsLessThan(20.0, range.Max, $"{name} clipped at {range.Max}");
        Assert.IsGreaterThan(2.0, range.Max, $"{name} clipped at {range.Max}");
    }

    [TestMethod]
    [DataRow("ifmr")]
    [DataRow("hfmg")]
    public void Error_searching_methods_never_do_worse_than_min_max(string name)
    {
        // IFMR starts from AMCT's 0.999999 percentile (here the largest value) and searches ±30 %; HFMG's candidates
        // include the full range (and, with AMCT's greedy trimming, jump from 40 straight into the bulk here). Both
        // minimise the quantization error over their candidates, so neither can lose to plain min/max.
        Assert.IsTrue(RangeMethods.TryCreate(name, out var method));
        var observation = Observe();
        var range = method.Compute(observation, ActivationMode.Asymmetric);
        var chosen = HistogramMath.SquaredError(observation.Histogram!, ActivationParams.FromRange(range.Min, range.Max, ActivationMode.Asymmetric));
        var minMax = HistogramMath.SquaredError(observation.Histogram!, ActivationParams.FromRange(0, 40, ActivationMode.Asymmetric));
        Assert.IsLessThanOrEqualTo(minMax, chosen, $"{name} chose [{range.Min}, {range.Max}]");
    }

    [TestMethod]
    [DataRow("entropy")]
    [DataRow("percentile")]
    [DataRow("hfmg")]
    [DataRow("ifmr")]
    public void Without_outliers_the_clip_stays_in_the_tail_of_the_distribution(string name)
    {
        // Half-normal data: a good clip is somewhere in the tail (2σ..max), never a fraction of the bulk.
        Assert.IsTrue(RangeMethods.TryCreate(name, out var method));
        var random = new Random(5);
        var observation = new TensorObservation("t", true);
        observation.Add(Enumerable.Range(0, 500_000).Select(_ => (float)Math.Abs(HistogramTests.NextGaussian(random))).ToArray());
        var range = method.Compute(observation, ActivationMode.Asymmetric);
        Assert.IsGreaterThan(2.0, range.Max, $"{name} clipped at {range.Max} (max {observation.Max})");
        Assert.IsLessThanOrEqualTo(observation.Max * 1.3, range.Max, $"{name} clipped at {range.Max} (max {observation.Max})");
    }

    [TestMethod]
    public void Every_method_handles_a_constant_tensor()
    {
        foreach (var name in RangeMethods.Names)
        {
            Assert.IsTrue(RangeMethods.TryCreate(name, out var method));
            var observation = new TensorObservation("zeros", method.NeedsHistogram);
            observation.Add(new float[1000]);
            var range = method.Compute(observation, ActivationMode.Asymmetric);
            var p = ActivationParams.FromRange(range.Min, range.Max, ActivationMode.Asymmetric);
            Assert.IsTrue(float.IsFinite(p.Scale) && p.Scale > 0, name);
        }
    }

    [TestMethod]
    public void Ifmr_searches_symmetric_ranges_in_symmetric_mode()
    {
        var random = new Random(3);
        var observation = new TensorObservation("s", true);
        observation.Add(Enumerable.Range(0, 50_000).Select(_ => (float)HistogramTests.NextGaussian(random)).ToArray());
        var range = new IfmrMethod().Compute(observation, ActivationMode.Symmetric);
        Assert.AreEqual(-range.Min, range.Max, 1e-9);
    }
}
