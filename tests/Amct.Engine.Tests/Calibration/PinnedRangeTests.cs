using Amct.Engine.Calibration;
using Amct.Engine.Quantization;

namespace Amct.Engine.Tests.Calibration;

/// <summary>
/// Clip ranges and factors of the range methods on small synthetic data whose answer can be worked out by hand. The
/// histogram methods see the data through 8192 bins over 1.0625× its range, so their answers carry a stated tolerance
/// of one or two bin widths; MinMax and the factor arithmetic are exact.
/// </summary>
[TestClass]
public sealed class PinnedRangeTests
{
    private static TensorObservation Observe(IEnumerable<float> values, bool histogram = true)
    {
        var observation = new TensorObservation("t", histogram);
        observation.Add(values.ToArray());
        return observation;
    }

    /// <summary>n evenly spaced values from <paramref name="low"/> to <paramref name="high"/> inclusive.</summary>
    private static IEnumerable<float> Even(int n, double low, double high) =>
        Enumerable.Range(0, n).Select(i => (float)(low + ((high - low) * i / (n - 1))));

    private static double BinWidth(double low, double high) => (high - low) * 1.0625 / StreamingHistogram.Bins;

    [TestMethod]
    public void MinMax_is_the_extremes_and_its_factors_are_exact()
    {
        var range = new MinMaxMethod().Compute(Observe([-1f, 0.5f, 3f], histogram: false), ActivationMode.Asymmetric);
        Assert.AreEqual(new ClipRange(-1, 3), range);
        // scale = 4 / 255; offset = −round(−1 / scale) − 128 = −round(−63.75) − 128 = 64 − 128
        var factors = ActivationParams.FromRange(range.Min, range.Max, ActivationMode.Asymmetric);
        Assert.AreEqual((float)(4.0 / 255), factors.Scale);
        Assert.AreEqual(-64, factors.Offset);
    }

    [TestMethod]
    public void Percentile_keeps_the_middle_99_999_percent_of_uniform_data()
    {
        // Uniform on [0, 1]: the p-quantile is p. The default p = 0.99999 clips 0.001 % at each end.
        var range = new PercentileMethod().Compute(Observe(Even(100_001, 0, 1)), ActivationMode.Asymmetric);
        var bin = BinWidth(0, 1);
        Assert.AreEqual(0.00001, range.Min, bin, $"min {range.Min}");
        Assert.AreEqual(0.99999, range.Max, bin, $"max {range.Max}");
    }

    [TestMethod]
    public void Symmetric_percentile_keeps_99_999_percent_of_the_magnitudes()
    {
        // Uniform on [−1, 1]: a fraction t of the values lies in [−t, t], so t = 0.99999.
        var range = new PercentileMethod().Compute(Observe(Even(200_001, -1, 1)), ActivationMode.Symmetric);
        var tolerance = 2 * BinWidth(-1, 1);
        Assert.AreEqual(-0.99999, range.Min, tolerance, $"min {range.Min}");
        Assert.AreEqual(0.99999, range.Max, tolerance, $"max {range.Max}");
    }

    /// <summary>
    /// 10,000 values at 2.5/255, one at 0 and one at 1. IFMR starts from the largest value, 1, and tries clip maxima
    /// 0.70 … 1.30 (step 0.01). At clip c the step is c/255, so 2.5/255 sits at 2.5/c steps: half-way between two codes at
    /// c = 1 (error (1/510)² for each of the 10,000 values) but exactly on code 2 at c = 1.25, where 1 is code 204, also
    /// exact. c = 0.83 puts 2.5/255 near code 3 but clips the value 1 by 0.17. So the search must reach past 1.0 and
    /// choose 1.25.
    /// </summary>
    [TestMethod]
    public void Ifmr_searches_up_to_1_3_times_the_percentile_and_finds_the_grid_that_fits_the_data()
    {
        var values = Enumerable.Repeat((float)(2.5 / 255), 10_000).Append(0f).Append(1f);
        var observation = Observe(values);
        foreach (var method in new[] { new IfmrMethod(), Create("ifmr") })
        {
            var range = method.Compute(observation, ActivationMode.Asymmetric);
            Assert.AreEqual(0.0, range.Min);
            Assert.AreEqual(1.25, range.Max, 1e-12);
            var factors = ActivationParams.FromRange(range.Min, range.Max, ActivationMode.Asymmetric);
            Assert.AreEqual((float)(1.25 / 255), factors.Scale);
            Assert.AreEqual(-128, factors.Offset);
        }
    }

    [TestMethod]
    public void Ifmr_with_the_search_ending_at_1_cannot_reach_that_grid()
    {
        // The same data with the search cut at 1.0: the best it can do is 1.0 (or a clip), never 1.25.
        var values = Enumerable.Repeat((float)(2.5 / 255), 10_000).Append(0f).Append(1f);
        var range = new IfmrMethod(searchEnd: 1.0).Compute(Observe(values), ActivationMode.Asymmetric);
        Assert.IsLessThanOrEqualTo(1.0 + 1e-12, range.Max);
    }

    /// <summary>
    /// A million values uniform on [0, 1] and one at 3. HFMG re-bins [0, 3] into 4096 bins (the bulk fills bins
    /// 0…1365) and trims at least ⌈1,000,002 / 100,000⌉ = 11 counts per round. Its first trim from the right takes the
    /// outlier and every empty bin down into the bulk, so its candidates are the full [0, 3] and windows inside [0, 1].
    /// Squared error of the full range: 10⁶ · (3/255)² / 12 ≈ 11.5. Of [0, c] with c just under 1: the bulk's rounding,
    /// 10⁶ · (c/255)² / 12 ≈ 1.3, plus the clipped outlier, (3 − c)² ≈ 4. Narrowing c below 1 clips bulk values and
    /// lowers the first term less than it raises the second (d/dc of the rounding term 2.6 &lt; 4), so the widest
    /// window inside the bulk wins: [0, 1] to within a bin (3/4096).
    /// </summary>
    [TestMethod]
    public void Hfmg_drops_a_lone_far_outlier_and_keeps_the_bulk()
    {
        var range = new HfmgMethod().Compute(Observe(Even(1_000_001, 0, 1).Append(3f)), ActivationMode.Asymmetric);
        Assert.AreEqual(0.0, range.Min);
        Assert.AreEqual(1.0, range.Max, 3.0 / 4096, $"max {range.Max}");
    }

    [TestMethod]
    public void The_default_method_is_ifmr() => Assert.IsInstanceOfType<IfmrMethod>(Create(RangeMethods.DefaultName));

    private static IRangeMethod Create(string name)
    {
        Assert.IsTrue(RangeMethods.TryCreate(name, out var method));
        return method;
    }
}
