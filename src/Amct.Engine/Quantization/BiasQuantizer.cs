namespace Amct.Engine.Quantization;

/// <summary>
/// Bias to int32 with the scale of the product it is added to: <c>round_half_even(b / (scale_d · scale_w[c]))</c>,
/// offset 0. A value outside int32 means the layer's input range is too narrow for its bias; the caller reports it
/// and suggests skipping the layer.
/// </summary>
public static class BiasQuantizer
{
    /// <returns>The int32 values and scales, or the index of the first channel that overflows.</returns>
    public static (int[] Values, float[] Scales, int OverflowChannel) Quantize(float[] bias, float inputScale, float[] weightScales)
    {
        var values = new int[bias.Length];
        var scales = new float[bias.Length];
        for (var c = 0; c < bias.Length; c++)
        {
            var scale = inputScale * weightScales[weightScales.Length == 1 ? 0 : c];
            scales[c] = scale;
            var q = Math.Round(bias[c] / (double)scale, MidpointRounding.ToEven);
            if (q is > int.MaxValue or < int.MinValue || double.IsNaN(q))
            {
                return (values, scales, c);
            }
            values[c] = (int)q;
        }
        return (values, scales, -1);
    }
}
