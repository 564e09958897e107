namespace Amct.Engine.Quantization;

/// <summary>
/// Quantization factors of one activation tensor in AMCT's convention: <c>q = clamp(round(x / Scale) + Offset, -128, 127)</c>,
/// <c>x ≈ (q - Offset) * Scale</c>. In the ONNX model the tensor is stored as uint8 with zero point <c>Offset + 128</c>,
/// which is the same mapping shifted by 128 (ONNX Runtime's int8 kernels on x86 run unsigned activations).
/// </summary>
public readonly record struct ActivationParams(float Scale, int Offset)
{
    /// <summary>The zero point of the uint8 form stored in the QDQ model.</summary>
    public byte UInt8ZeroPoint => (byte)(Offset + 128);

    /// <summary>The zero point of the int8 form (the AMCT offset itself).</summary>
    public sbyte Int8ZeroPoint => (sbyte)Offset;

    /// <summary>The float range this tensor can represent: [(-128 - Offset)·Scale, (127 - Offset)·Scale].</summary>
    public (double Min, double Max) Range => ((-128 - Offset) * (double)Scale, (127 - Offset) * (double)Scale);

    /// <summary>
    /// Factors for a clip range. The range is first widened to include 0 so that 0 (zero padding, ReLU output) is
    /// exact. Asymmetric: <c>scale = (max - min) / 255</c>, <c>offset = -round(min / scale) - 128</c>. Symmetric:
    /// offset 0 and <c>scale = |m| / 127</c>, or <c>/ 128</c> when the larger-magnitude end is negative (it can then
    /// use the extra negative code), as AMCT does. A degenerate range (all zeros) gets scale 1 — never 0 or NaN.
    /// </summary>
    public static ActivationParams FromRange(double min, double max, ActivationMode mode)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max)
        {
            throw new ArgumentException($"invalid range [{min}, {max}]");
        }
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        if (mode == ActivationMode.Symmetric)
        {
            var negativeDominates = -min > max;
            var magnitude = Math.Max(-min, max);
            var symmetricScale = (float)(magnitude / (negativeDominates ? 128.0 : 127.0));
            return Sanitize(symmetricScale, 0);
        }
        var scale = (float)((max - min) / 255.0);
        if (scale < FltEpsilon)
        {
            return new ActivationParams(1f, -128);
        }
        var offset = (int)-Math.Round(min / scale, MidpointRounding.ToEven) - 128;
        return Sanitize(scale, Math.Clamp(offset, -128, 127));
    }

    /// <summary>AMCT's scale sanitation: a scale below FLT_EPSILON becomes 1 (the tensor is constant zero).</summary>
    private static ActivationParams Sanitize(float scale, int offset) =>
        scale < FltEpsilon ? new ActivationParams(1f, offset == 0 ? 0 : -128) : new ActivationParams(scale, offset);

    /// <summary>C's FLT_EPSILON, AMCT's floor for a usable scale.</summary>
    public const float FltEpsilon = 1.1920929e-07f;

    /// <summary>Quantize then dequantize one value, as the QDQ pair in the model does (round half to even).</summary>
    public double RoundTrip(double x)
    {
        var q = Math.Clamp(Math.Round(x / Scale, MidpointRounding.ToEven) + Offset, -128, 127);
        return (q - Offset) * (double)Scale;
    }
}
