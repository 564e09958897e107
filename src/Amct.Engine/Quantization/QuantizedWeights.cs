namespace Amct.Engine.Quantization;

/// <summary>
/// A weight tensor quantized to symmetric int8 (AMCT ARQ): per channel along <see cref="Axis"/>, or per tensor
/// (<see cref="Axis"/> null, one scale). Offsets are always 0.
/// </summary>
public sealed record QuantizedWeights(sbyte[] Values, float[] Scales, int? Axis, double SqnrDb, int ZeroChannels)
{
    /// <summary>
    /// The layer's float bias after bias correction (<see cref="OutputError.BiasCorrection"/>), quantized to int32 in
    /// place of the model's own; null keeps the model's.
    /// </summary>
    public float[]? CorrectedBias { get; init; }
}

/// <summary>
/// Symmetric int8 weight quantization: <c>scale_w = max|W_c| / 127</c> (or / 128 when the largest-magnitude element
/// is negative, so it maps to -128 exactly, as AMCT does), <c>w_q = clamp(round_half_even(w / scale_w), -128, 127)</c>.
/// An all-zero channel gets scale 1 and zeros: a valid factor, never NaN.
/// </summary>
public static class WeightQuantizer
{
    /// <param name="weights">Weight values in row-major order.</param>
    /// <param name="dims">The weight's shape.</param>
    /// <param name="axis">Channel axis for per-channel scales, or null for one scale.</param>
    /// <param name="bits">8, or 7 to keep weights in [-64, 63] (ONNX Runtime's "reduce range" for CPUs whose int8
    /// dot products can saturate); stored as int8 either way.</param>
    /// <param name="rangeSearch">Per channel, the scale (max|W| times 1.00, 0.99 … 0.50) with the lowest squared
    /// rounding-plus-clipping error instead of max|W| itself (<see cref="WeightRangeSearch"/>).</param>
    public static QuantizedWeights Quantize(float[] weights, IReadOnlyList<long> dims, int? axis, int bits = 8, bool rangeSearch = false)
    {
        var positiveLimit = (1 << (bits - 1)) - 1;
        var (channels, inner, outer) = Layout(weights.Length, dims, axis);
        var scales = new float[channels];
        var zeroChannels = 0;
        for (var c = 0; c < channels; c++)
        {
            var extreme = 0f;
            foreach (var index in ChannelIndices(c, channels, inner, outer))
            {
                if (Math.Abs(weights[index]) > Math.Abs(extreme))
                {
                    extreme = weights[index];
                }
            }
            if (!float.IsFinite(extreme))
            {
                throw new ArgumentException("weights contain NaN or Inf", nameof(weights));
            }
            var scale = extreme < 0 ? -extreme / (positiveLimit + 1f) : extreme / positiveLimit;
            if (scale < ActivationParams.FltEpsilon)
            {
                scale = 1f;
                zeroChannels++;
            }
            else if (rangeSearch)
            {
                scale = WeightRangeSearch.BestScale(weights, ChannelIndices(c, channels, inner, outer).ToArray(), scale, positiveLimit);
            }
            scales[c] = scale;
        }
        return WithScales(weights, dims, axis, scales, bits, zeroChannels);
    }

    /// <summary>
    /// Quantizes with scales given from outside (an AMCT record's <c>scale_w</c>): one per channel along
    /// <paramref name="axis"/>, or one for the tensor when <paramref name="axis"/> is null. Values beyond the int range
    /// the scales allow are clamped, as AMCT's own quantizer does.
    /// </summary>
    public static QuantizedWeights Quantize(float[] weights, IReadOnlyList<long> dims, int? axis, float[] scales, int bits = 8)
    {
        var (channels, _, _) = Layout(weights.Length, dims, axis);
        if (scales.Length != channels)
        {
            throw new ArgumentException($"{scales.Length} scales for {channels} channels", nameof(scales));
        }
        return WithScales(weights, dims, axis, scales, bits, 0);
    }

    /// <summary>The number of channels, and how a channel's elements are laid out as [outer, channel, inner].</summary>
    private static (int Channels, long Inner, long Outer) Layout(int length, IReadOnlyList<long> dims, int? axis)
    {
        if (axis is not { } a)
        {
            return (1, length, 1);
        }
        var inner = 1L;
        var outer = 1L;
        for (var d = a + 1; d < dims.Count; d++)
        {
            inner *= dims[d];
        }
        for (var d = 0; d < a; d++)
        {
            outer *= dims[d];
        }
        return ((int)dims[a], inner, outer);
    }

    private static QuantizedWeights WithScales(float[] weights, IReadOnlyList<long> dims, int? axis, float[] scales, int bits, int zeroChannels)
    {
        var positiveLimit = (1 << (bits - 1)) - 1;
        var (channels, inner, outer) = Layout(weights.Length, dims, axis);
        var values = new sbyte[weights.Length];
        double signal = 0, noise = 0;
        for (var c = 0; c < channels; c++)
        {
            foreach (var index in ChannelIndices(c, channels, inner, outer))
            {
                var q = Math.Clamp(Math.Round(weights[index] / (double)scales[c], MidpointRounding.ToEven), -positiveLimit - 1, positiveLimit);
                values[index] = (sbyte)q;
                var error = q * scales[c] - weights[index];
                signal += (double)weights[index] * weights[index];
                noise += error * error;
            }
        }
        return new QuantizedWeights(values, scales, axis, Sqnr.Db(signal, noise), zeroChannels);
    }

    private static IEnumerable<int> ChannelIndices(int channel, int channels, long inner, long outer)
    {
        for (long o = 0; o < outer; o++)
        {
            var start = (o * channels + channel) * inner;
            for (long i = 0; i < inner; i++)
            {
                yield return (int)(start + i);
            }
        }
    }
}

/// <summary>
/// Weight range search (issue 17, item 2): max|W| makes the largest weight exact but spreads the step over a range
/// the bulk of a channel does not use; a slightly smaller clip rounds the bulk more finely at the cost of clipping a
/// few extremes. Of the scales max|W|/127 × 1.00, 0.99 … 0.50 this keeps the one with the lowest squared error
/// Σ(w − s·clamp(round(w/s)))² over the channel, the full range unless another is strictly better.
/// </summary>
public static class WeightRangeSearch
{
    private const int Candidates = 51;

    public static float BestScale(float[] weights, int[] channel, float fullScale, int positiveLimit)
    {
        var best = fullScale;
        var bestError = double.PositiveInfinity;
        for (var k = 0; k < Candidates; k++)
        {
            var scale = (float)(fullScale * (1 - (0.01 * k)));
            var error = SquaredError(weights, channel, scale, positiveLimit);
            if (error < bestError)
            {
                bestError = error;
                best = scale;
            }
        }
        return best;
    }

    private static double SquaredError(float[] weights, int[] channel, float scale, int positiveLimit)
    {
        double total = 0;
        foreach (var index in channel)
        {
            var w = weights[index];
            var q = Math.Clamp(Math.Round(w / (double)scale, MidpointRounding.ToEven), -positiveLimit - 1, positiveLimit);
            var error = (q * scale) - w;
            total += error * error;
        }
        return total;
    }
}

/// <summary>Signal-to-quantization-noise ratio in dB; capped at 200 dB when the error is exactly zero.</summary>
public static class Sqnr
{
    public static double Db(double signalPower, double noisePower) =>
        noisePower <= 0 ? 200 : signalPower <= 0 ? 0 : Math.Min(200, 10 * Math.Log10(signalPower / noisePower));
}
