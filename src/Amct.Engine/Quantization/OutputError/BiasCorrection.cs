namespace Amct.Engine.Quantization.OutputError;

/// <summary>
/// Empirical bias correction (Nagel et al. 2019, "Data-Free Quantization Through Weight Equalization and Bias
/// Correction", §4.2): rounding the weights (and clipping and rounding the input) shifts a layer's expected output by
/// a per-channel amount E[ỹ − y]; subtracting it from the bias puts the quantized layer's mean back where the float
/// layer's is. The corrected float bias is then quantized to int32 as any bias is.
/// </summary>
public static class BiasCorrection
{
    /// <summary>
    /// Layers whose bias can be corrected: a constant bias with one value per output channel, on a convolution or a
    /// matrix product (their output channels sit on axis 1, where <see cref="LayerOutputError"/> measures the shift).
    /// </summary>
    public static bool Applies(WeightedLayer layer, float[]? bias, int outputChannels) =>
        layer.Bias is not null && bias is not null && bias.Length == outputChannels && outputChannels > 0 &&
        layer.Roles.Weight.Kind != Rules.WeightKind.Elementwise;

    /// <summary>The bias minus the measured mean shift of each channel.</summary>
    public static float[] Corrected(float[] bias, IReadOnlyList<double> meanShift)
    {
        if (bias.Length != meanShift.Count)
        {
            throw new ArgumentException($"{meanShift.Count} channel shifts for a bias of {bias.Length} values", nameof(meanShift));
        }
        return bias.Select((b, c) => (float)(b - meanShift[c])).ToArray();
    }
}
