using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Tests.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization;

/// <summary>Weight range search (issue 17, item 2): the per-channel clip with the lowest squared weight error.</summary>
[TestClass]
public sealed class WeightRangeSearchTests
{
    /// <summary>
    /// 100,000 weights at 1.5/127 and one at 1. With max|W| the step is 1/127 and every bulk weight sits half-way
    /// between two codes: error 10⁵ · (0.5/127)² ≈ 1.55. At 0.75 × max they are exactly code 2, but the weight 1 is
    /// clipped to 0.75: 0.0625. At 0.76 they round to code 2 at 1.52/127 — 10⁵ · (0.02/127)² ≈ 0.0025 — and 1 is clipped
    /// to 0.76: 0.0576, total 0.0601, the lowest (0.77: 0.0099 + 0.0529 = 0.0628; 0.74: 0.0025 + 0.0676).
    /// </summary>
    [TestMethod]
    public void The_search_finds_the_clip_a_hand_calculation_gives()
    {
        var weights = Enumerable.Repeat(1.5f / 127, 100_000).Append(1f).ToArray();
        var plain = WeightQuantizer.Quantize(weights, [weights.Length], axis: null);
        var searched = WeightQuantizer.Quantize(weights, [weights.Length], axis: null, rangeSearch: true);
        Assert.AreEqual(1f / 127, plain.Scales[0]);
        Assert.AreEqual(0.76 / 127, searched.Scales[0], 1e-9);
        Assert.AreEqual(2, searched.Values[0]);
        Assert.AreEqual(127, searched.Values[^1]);
        Assert.IsGreaterThan(plain.SqnrDb + 10, searched.SqnrDb);
    }

    [TestMethod]
    public void Each_channel_is_searched_on_its_own_and_a_channel_nothing_beats_keeps_max()
    {
        // Channel 0: the case above (clipped to 0.76). Channel 1: the codes 0…127 of the step 1/127, each exact with
        // max|W| = 1; any smaller clip moves them off the grid and clips 1, so max|W| stays.
        const int n = 100_001;
        var bulk = Enumerable.Repeat(1.5f / 127, n - 1).Append(1f);
        var onGrid = Enumerable.Range(0, n).Select(i => i == n - 1 ? 1f : (i % 128) / 127f);
        var searched = WeightQuantizer.Quantize(bulk.Concat(onGrid).ToArray(), [2, n], axis: 0, rangeSearch: true);
        Assert.AreEqual(0.76 / 127, searched.Scales[0], 1e-9);
        Assert.AreEqual(1f / 127, searched.Scales[1]);
    }

    [TestMethod]
    public void On_the_digits_cnn_every_layer_s_weight_error_falls_or_stays()
    {
        using var plainFolder = new TempFolder();
        using var searchedFolder = new TempFolder();
        // Rounding to nearest: the search minimises each channel's own squared error, which the default rounding by
        // the layers' inputs trades for a lower output error.
        var request = QuantizationJobTests.DigitsRequest(plainFolder.Path) with
        {
            EvaluationData = null, EvaluationLabels = null, WeightRounding = Amct.Engine.Quantization.Rounding.WeightRounding.Nearest,
        };
        var plain = QuantizationJob.Run(request, new CollectingLog());
        var searched = QuantizationJob.Run(request with { OutputDirectory = searchedFolder.Path, WeightRangeSearch = true }, new CollectingLog());
        var before = plain.Report.Layers.ToDictionary(l => l.Name, l => l.WeightSqnrDb);
        foreach (var layer in searched.Report.Layers)
        {
            Assert.IsGreaterThanOrEqualTo(before[layer.Name], layer.WeightSqnrDb, layer.Name);
        }
        Assert.IsTrue(searched.Report.Layers.Any(l => l.WeightSqnrDb > before[l.Name]),
            string.Join(", ", searched.Report.Layers.Select(l => $"{l.Name} {before[l.Name]:0.000} -> {l.WeightSqnrDb:0.000} dB")));
    }
}
