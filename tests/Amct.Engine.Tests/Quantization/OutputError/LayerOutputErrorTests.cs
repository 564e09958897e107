using Amct.Engine.Quantization.OutputError;

namespace Amct.Engine.Tests.Quantization.OutputError;

[TestClass]
public sealed class LayerOutputErrorTests
{
    /// <summary>
    /// Two batches of a 2-channel output: [2, 2, 3] (6 elements per channel) with channel means 0.5 and −1, then
    /// [1, 2, 3] (3 per channel) with means 2 and −1. Channel 0: (6·0.5 + 3·2) / 9 = 1; channel 1: −1. Squared errors
    /// 10 + 8 = 18; after removing the means 18 − 9·1² − 9·1² = 0.
    /// </summary>
    [TestMethod]
    public void The_shift_is_the_element_weighted_mean_of_the_batches_and_removing_it_lowers_the_error_by_n_mu_squared()
    {
        var error = new LayerOutputError(2);
        error.Add(10, [0.5f, -1f], [2, 2, 3]);
        error.Add(8, [2f, -1f], [1, 2, 3]);
        CollectionAssert.AreEqual(new[] { 1.0, -1.0 }, error.MeanShift());
        Assert.AreEqual(9, error.ElementsPerChannel);
        Assert.AreEqual(18, error.SquaredError);
        Assert.AreEqual(0, error.SquaredErrorAfterShift(), 1e-12);
    }

    [TestMethod]
    public void An_output_of_another_channel_count_is_refused()
    {
        var error = new LayerOutputError(3);
        Assert.ThrowsExactly<ArgumentException>(() => error.Add(1, [0f, 0f], [1, 2]));
    }

    [TestMethod]
    public void The_corrected_bias_is_the_bias_minus_each_channel_s_shift()
    {
        CollectionAssert.AreEqual(new[] { 1.25f, -0.5f }, BiasCorrection.Corrected([1f, 0f], [-0.25, 0.5]));
    }
}
