using Amct.Engine.Evaluation;

namespace Amct.Engine.Tests.Evaluation;

/// <summary>The output metrics on three two-value samples worked out by hand.</summary>
[TestClass]
public sealed class OutputComparisonTests
{
    // sample 0: (3, 4) vs (4, 3): cosine 24/25 = 0.96, squared error 1 + 1 = 2, arg max 1 vs 0
    // sample 1: (0, 1) vs (1, 0): cosine 0 (the worst), squared error 2, arg max 1 vs 0
    // sample 2: (1, 0) vs (1, 0): cosine 1, squared error 0, arg max 0 vs 0
    private static readonly float[] Reference = [3, 4, 0, 1, 1, 0];
    private static readonly float[] Quantized = [4, 3, 1, 0, 1, 0];

    private static OutputAgreement Compare(params int[] batchSizes)
    {
        var comparison = new OutputComparison("scores", isClassScores: true);
        var offset = 0;
        foreach (var samples in batchSizes)
        {
            comparison.Add(Reference.AsSpan(offset, samples * 2), Quantized.AsSpan(offset, samples * 2), samples);
            offset += samples * 2;
        }
        return comparison.Result();
    }

    [TestMethod]
    [DataRow(new[] { 3 })]
    [DataRow(new[] { 1, 2 })]
    [DataRow(new[] { 1, 1, 1 })]
    public void Metrics_match_the_hand_computed_values_however_the_samples_are_batched(int[] batches)
    {
        var result = Compare(batches);
        Assert.AreEqual(3L, result.Samples);
        Assert.AreEqual(1.0 / 3, result.Top1Agreement!.Value, 1e-15);
        Assert.AreEqual((0.96 + 0 + 1) / 3, result.CosineMean, 1e-15);
        Assert.AreEqual(0.0, result.CosineWorst);
        Assert.AreEqual(1L, result.CosineWorstSample, "the worst sample is the second one");
        CollectionAssert.AreEqual(new[] { 0.96, 0.0, 1.0 }, result.SampleCosines.Select(c => Math.Round(c, 12)).ToArray());
        // signal 9 + 16 + 1 + 1 = 27, noise 2 + 2 = 4: 10·log10(6.75) dB
        Assert.AreEqual(10 * Math.Log10(27.0 / 4.0), result.SqnrDb, 1e-12);
        Assert.AreEqual(1.0, result.MaxAbsError);
    }

    [TestMethod]
    public void The_worst_sample_is_the_lowest_cosine_even_when_it_comes_last()
    {
        var comparison = new OutputComparison("y", isClassScores: false);
        comparison.Add([1f, 0f, 1f, 1f, 0f, 1f], [1f, 0f, 1f, 0f, 1f, 0f], 3); // cosines 1, 1/√2, 0
        var result = comparison.Result();
        Assert.AreEqual(0.0, result.CosineWorst);
        Assert.AreEqual(2L, result.CosineWorstSample);
        Assert.IsNull(result.Top1Agreement, "not class scores");
    }

    [TestMethod]
    public void Zero_rows_agree_with_zero_rows_and_not_with_anything_else()
    {
        var comparison = new OutputComparison("y", isClassScores: false);
        comparison.Add([0f, 0f, 0f, 0f], [0f, 0f, 0f, 2f], 2);
        CollectionAssert.AreEqual(new[] { 1.0, 0.0 }, comparison.Result().SampleCosines.ToArray());
    }

    /// <summary>
    /// A probability per sample, float (0.9, 0.2, 0.8) against an int8 model stuck at 0.5: every per-sample cosine is 1,
    /// the series' is 0.95 / √(1.49 · 0.75) ≈ 0.899, below the quality floor; the worst sample is the largest error (0.4).
    /// </summary>
    [TestMethod]
    [DataRow(new[] { 3 })]
    [DataRow(new[] { 1, 2 })]
    [DataRow(new[] { 1, 1, 1 })]
    public void An_output_of_one_value_per_sample_is_compared_by_the_cosine_of_its_series(int[] batches)
    {
        float[] reference = [0.9f, 0.2f, 0.8f];
        float[] quantized = [0.5f, 0.5f, 0.5f];
        var comparison = new OutputComparison("probability", isClassScores: false);
        var offset = 0;
        foreach (var samples in batches)
        {
            comparison.Add(reference.AsSpan(offset, samples), quantized.AsSpan(offset, samples), samples);
            offset += samples;
        }
        var result = comparison.Result();

        var series = (0.9 * 0.5 + 0.2 * 0.5 + 0.8 * 0.5) / Math.Sqrt((0.81 + 0.04 + 0.64) * 0.75);
        Assert.AreEqual(series, result.CosineMean, 1e-6);
        Assert.IsLessThan(Amct.Engine.Evaluation.QualityFloor.MinCosine, result.CosineMean, "the quality floor sees the stuck output");
        Assert.AreEqual(result.CosineMean, result.CosineWorst);
        Assert.AreEqual(0L, result.CosineWorstSample, "the largest error");
        CollectionAssert.AreEqual(new[] { 1.0, 1.0, 1.0 }, result.SampleCosines.ToArray(), "each sample alone agrees in sign only");
    }

    [TestMethod]
    public void An_output_of_several_values_per_sample_keeps_the_per_sample_mean()
    {
        var comparison = new OutputComparison("y", isClassScores: false);
        comparison.Add([1f, 0f, 0f, 1f], [1f, 0f, 1f, 1f], 2); // cosines 1 and 1/√2
        Assert.AreEqual((1 + 1 / Math.Sqrt(2)) / 2, comparison.Result().CosineMean, 1e-12);
    }
}
