using Amct.Engine.Quantization;

namespace Amct.Engine.Tests.Quantization;

[TestClass]
public sealed class QuantMathTests
{
    [TestMethod]
    public void Asymmetric_factors_follow_amct()
    {
        // A post-ReLU [0, 1] tensor: AMCT's documented record has scale_d 1/255 and offset_d -128.
        var p = ActivationParams.FromRange(0, 1, ActivationMode.Asymmetric);
        Assert.AreEqual(1f / 255, p.Scale, 1e-9);
        Assert.AreEqual(-128, p.Offset);
        Assert.AreEqual((byte)0, p.UInt8ZeroPoint);

        var signed = ActivationParams.FromRange(-1, 3, ActivationMode.Asymmetric);
        Assert.AreEqual(4f / 255, signed.Scale, 1e-7);
        // offset = -round(min / scale) - 128 = -round(-63.75) - 128 = 64 - 128
        Assert.AreEqual(-64, signed.Offset);
        Assert.AreEqual(0.0, signed.RoundTrip(0), "zero is exact");
    }

    [TestMethod]
    public void The_range_is_widened_to_include_zero()
    {
        var p = ActivationParams.FromRange(2, 4, ActivationMode.Asymmetric);
        Assert.AreEqual(4f / 255, p.Scale, 1e-7);
        Assert.AreEqual(-128, p.Offset);
        Assert.AreEqual(0.0, p.RoundTrip(0));
    }

    [TestMethod]
    public void Symmetric_uses_127_or_128_by_the_sign_of_the_larger_end()
    {
        var positive = ActivationParams.FromRange(-1, 2, ActivationMode.Symmetric);
        Assert.AreEqual(2f / 127, positive.Scale, 1e-7);
        Assert.AreEqual(0, positive.Offset);
        var negative = ActivationParams.FromRange(-2, 1, ActivationMode.Symmetric);
        Assert.AreEqual(2f / 128, negative.Scale, 1e-7);
        Assert.AreEqual(-2.0, negative.RoundTrip(-2), 1e-6);
    }

    [TestMethod]
    public void A_constant_zero_tensor_gets_a_valid_scale()
    {
        var p = ActivationParams.FromRange(0, 0, ActivationMode.Asymmetric);
        Assert.AreEqual(1f, p.Scale);
        Assert.AreEqual(-128, p.Offset);
        Assert.AreEqual(0.0, p.RoundTrip(0));
        var s = ActivationParams.FromRange(0, 0, ActivationMode.Symmetric);
        Assert.AreEqual(1f, s.Scale);
        Assert.AreEqual(0, s.Offset);
    }

    [TestMethod]
    public void The_offset_rounds_an_exact_tie_half_to_even()
    {
        // [−1.25, 126.25]: scale = 127.5 / 255 = 0.5 exactly, min / scale = −2.5 exactly. Half to even gives −2, so the
        // offset is 2 − 128 = −126 (half away from zero would give −3 and −125).
        var tie = ActivationParams.FromRange(-1.25, 126.25, ActivationMode.Asymmetric);
        Assert.AreEqual(0.5f, tie.Scale);
        Assert.AreEqual(-126, tie.Offset);
        // [−1.75, 125.75]: min / scale = −3.5, the even neighbour is −4 (either rule gives −4): offset −124.
        var odd = ActivationParams.FromRange(-1.75, 125.75, ActivationMode.Asymmetric);
        Assert.AreEqual(0.5f, odd.Scale);
        Assert.AreEqual(-124, odd.Offset);
    }

    [TestMethod]
    public void Round_trip_clamps_and_rounds_half_to_even()
    {
        var p = new ActivationParams(1f, 0);
        Assert.AreEqual(2.0, p.RoundTrip(2.5));
        Assert.AreEqual(4.0, p.RoundTrip(3.5));
        Assert.AreEqual(127.0, p.RoundTrip(1000));
        Assert.AreEqual(-128.0, p.RoundTrip(-1000));
    }

    [TestMethod]
    public void Weights_are_symmetric_per_channel()
    {
        // Two output channels of a [2, 3] weight: per-channel axis 0.
        float[] w = [0.5f, -1f, 0.25f, 2f, 1f, -0.5f];
        var q = WeightQuantizer.Quantize(w, [2, 3], 0);
        Assert.AreEqual(1f / 128, q.Scales[0], 1e-9, "largest magnitude is negative: /128");
        Assert.AreEqual(2f / 127, q.Scales[1], 1e-9);
        CollectionAssert.AreEqual(new sbyte[] { 64, -128, 32, 127, 64, -32 }, q.Values);
        Assert.IsGreaterThan(35.0, q.SqnrDb);
    }

    [TestMethod]
    public void Per_channel_along_axis_1_strides_correctly()
    {
        // ConvTranspose-like [2, 2, 1]: channel = middle axis.
        float[] w = [1f, 4f, 2f, 8f];
        var q = WeightQuantizer.Quantize(w, [2, 2, 1], 1);
        Assert.AreEqual(2f / 127, q.Scales[0], 1e-9);
        Assert.AreEqual(8f / 127, q.Scales[1], 1e-9);
        CollectionAssert.AreEqual(new sbyte[] { 64, 64, 127, 127 }, q.Values);
    }

    [TestMethod]
    public void An_all_zero_channel_gets_scale_one_and_zeros()
    {
        var q = WeightQuantizer.Quantize([0f, 0f, 1f, -1f], [2, 2], 0);
        Assert.AreEqual(1f, q.Scales[0]);
        Assert.AreEqual(1, q.ZeroChannels);
        CollectionAssert.AreEqual(new sbyte[] { 0, 0, 127, -127 }, q.Values);
        Assert.IsTrue(q.Scales.All(float.IsFinite));
    }

    [TestMethod]
    public void Per_tensor_weights_have_one_scale()
    {
        var q = WeightQuantizer.Quantize([1f, -3f, 2f, 0.5f], [2, 2], null);
        Assert.HasCount(1, q.Scales);
        Assert.AreEqual(3f / 128, q.Scales[0], 1e-9);
    }

    [TestMethod]
    public void Bias_is_int32_with_the_product_scale_and_overflow_is_reported()
    {
        var (values, scales, overflow) = BiasQuantizer.Quantize([1f, -0.5f], 0.01f, [0.1f, 0.05f]);
        Assert.AreEqual(-1, overflow);
        CollectionAssert.AreEqual(new[] { 1000, -1000 }, values);
        Assert.AreEqual(0.001f, scales[0], 1e-9);

        var (_, _, overflowing) = BiasQuantizer.Quantize([1e6f], 1e-6f, [1e-6f]);
        Assert.AreEqual(0, overflowing);
    }
}
