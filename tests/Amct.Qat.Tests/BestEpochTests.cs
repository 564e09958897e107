using Amct.Engine.Quantization;
using Amct.Qat.Training;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>Which epoch Distill ships (<see cref="BestEpoch"/>).</summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class BestEpochTests
{
    private static readonly IReadOnlyList<TensorFactors> PostTraining = [Factors(1f)];

    [TestMethod]
    public void With_held_out_losses_the_lowest_epoch_ships_the_earliest_on_a_tie()
    {
        var best = new BestEpoch(0.9, PostTraining, Weights(0));

        foreach (var (epoch, loss) in new[] { (1, 0.8), (2, 0.5), (3, 0.5), (4, 0.7) })
        {
            best.Offer(epoch, loss, () => ([Factors(epoch)], Weights(epoch)));
        }

        Assert.AreEqual(2, best.Epoch);
        Assert.AreEqual(2f, best.Factors[0].Params.Scale);
        Assert.AreEqual((sbyte)2, best.Weights["conv"].Values[0]);
    }

    [TestMethod]
    public void When_no_epoch_beats_the_post_training_model_it_ships_unchanged_and_no_epoch_is_read()
    {
        var best = new BestEpoch(0.1, PostTraining, Weights(0));

        best.Offer(1, 0.2, () => throw new AssertFailedException("a worse epoch is not exported"));
        best.Offer(2, double.NaN, () => throw new AssertFailedException("a diverged epoch is not exported"));

        Assert.AreEqual(0, best.Epoch);
        Assert.AreSame(PostTraining, best.Factors);
        Assert.AreEqual((sbyte)0, best.Weights["conv"].Values[0]);
    }

    [TestMethod]
    public void Without_held_out_losses_the_last_epoch_ships()
    {
        var best = new BestEpoch(null, PostTraining, Weights(0));

        best.Offer(1, null, () => ([Factors(1)], Weights(1)));
        best.Offer(2, null, () => ([Factors(2)], Weights(2)));

        Assert.AreEqual(2, best.Epoch);
        Assert.AreEqual((sbyte)2, best.Weights["conv"].Values[0]);
    }

    private static TensorFactors Factors(float scale) =>
        new("x", 0, "test", 0, 1, 0, 1, new ActivationParams(scale, -128), null);

    private static Dictionary<string, QuantizedWeights> Weights(int code) =>
        new() { ["conv"] = new QuantizedWeights([(sbyte)code], [1f], null, 0, 0) };
}
