using Amct.Engine.Quantization.Balancing;

namespace Amct.Engine.Tests.Quantization.Balancing;

[TestClass]
public sealed class BalanceFactorsTests
{
    /// <summary>
    /// s = max|X|^α / max|W|^(1−α). α = 0.5: √4/√1 = 2, √1/√4 = 0.5; a channel that is zero in the activation or the
    /// weight keeps 1. α = 0.75: 16^0.75 / 2^0.25 = 8 / 1.189207… = 6.727171.
    /// </summary>
    [TestMethod]
    public void The_factors_are_those_a_hand_calculation_gives()
    {
        CollectionAssert.AreEqual(new[] { 2f, 0.5f, 1f, 1f }, BalanceFactors.Compute([4, 1, 0, 9], [1, 4, 2, 0], 0.5));
        Assert.AreEqual(6.727171, BalanceFactors.Compute([16], [2], 0.75)[0], 1e-5);
    }

    [TestMethod]
    public void A_factor_stays_within_AMCTs_bounds()
    {
        var factors = BalanceFactors.Compute([1e30, 1e-30], [1e-30, 1e30], 0.5);
        Assert.AreEqual(1 / 1.1920929e-07, factors[0], 1);
        Assert.AreEqual(1.1920929e-07, factors[1], 1e-12);
    }

    [TestMethod]
    public void A_tensor_is_dominated_when_its_largest_channel_is_eight_times_the_median()
    {
        Assert.IsTrue(BalanceFactors.IsDominated([1, 1, 1, 8]));
        Assert.IsFalse(BalanceFactors.IsDominated([1, 1, 1, 7.9]));
        Assert.IsFalse(BalanceFactors.IsDominated([3]));
    }
}
