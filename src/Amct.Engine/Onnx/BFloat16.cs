namespace Amct.Engine.Onnx;

/// <summary>
/// A bfloat16 value: the upper 16 bits of an IEEE float32. .NET has <see cref="Half"/> but no bfloat16, and ONNX
/// tensors of this type must round-trip bit for bit, so the value is kept as its bits.
/// </summary>
public readonly record struct BFloat16(ushort Bits)
{
    public float ToSingle() => BitConverter.Int32BitsToSingle(Bits << 16);

    /// <summary>Converts with round-to-nearest-even, keeping NaN a NaN.</summary>
    public static BFloat16 FromSingle(float value)
    {
        if (float.IsNaN(value))
        {
            return new BFloat16(0x7FC0);
        }
        var bits = (uint)BitConverter.SingleToInt32Bits(value);
        var roundingBias = 0x7FFFu + ((bits >> 16) & 1);
        return new BFloat16((ushort)((bits + roundingBias) >> 16));
    }
}
