namespace Amct.Engine.Onnx;

/// <summary>Facts about ONNX element types (the <see cref="TensorProto.Types.DataType"/> values).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name",
    Justification = "The constants carry the ONNX element type names.")]
public static class DataTypes
{
    public const int Float = 1, UInt8 = 2, Int8 = 3, UInt16 = 4, Int16 = 5, Int32 = 6, Int64 = 7, String = 8,
        Bool = 9, Float16 = 10, Double = 11, UInt32 = 12, UInt64 = 13, Complex64 = 14, Complex128 = 15,
        BFloat16 = 16, Float8E4M3FN = 17, Float8E4M3FNUZ = 18, Float8E5M2 = 19, Float8E5M2FNUZ = 20, UInt4 = 21,
        Int4 = 22, Float4E2M1 = 23, Float8E8M0 = 24, UInt2 = 25, Int2 = 26;

    /// <summary>Bits one element occupies in raw_data; 0 for STRING and for values this version does not know.</summary>
    public static int BitsPerElement(int dataType) => dataType switch
    {
        Float or Int32 or UInt32 => 32,
        Double or Int64 or UInt64 or Complex64 => 64,
        Complex128 => 128,
        Int16 or UInt16 or Float16 or BFloat16 => 16,
        Int8 or UInt8 or Bool or Float8E4M3FN or Float8E4M3FNUZ or Float8E5M2 or Float8E5M2FNUZ or Float8E8M0 => 8,
        Int4 or UInt4 or Float4E2M1 => 4,
        Int2 or UInt2 => 2,
        _ => 0,
    };

    public static bool IsKnownFixedWidth(int dataType) => BitsPerElement(dataType) > 0;

    /// <summary>Bytes that <paramref name="count"/> elements take in raw_data (sub-byte types are packed).</summary>
    public static long RawByteLength(int dataType, long count)
    {
        var bits = BitsPerElement(dataType);
        if (bits == 0)
        {
            throw new ArgumentException($"element type {Name(dataType)} has no fixed width", nameof(dataType));
        }
        return checked((count * bits + 7) / 8);
    }

    /// <summary>A short lower-case name, as numpy would print it (float32, int64, ...).</summary>
    public static string Name(int dataType) => dataType switch
    {
        Float => "float32",
        UInt8 => "uint8",
        Int8 => "int8",
        UInt16 => "uint16",
        Int16 => "int16",
        Int32 => "int32",
        Int64 => "int64",
        String => "string",
        Bool => "bool",
        Float16 => "float16",
        Double => "float64",
        UInt32 => "uint32",
        UInt64 => "uint64",
        Complex64 => "complex64",
        Complex128 => "complex128",
        BFloat16 => "bfloat16",
        Float8E4M3FN => "float8e4m3fn",
        Float8E4M3FNUZ => "float8e4m3fnuz",
        Float8E5M2 => "float8e5m2",
        Float8E5M2FNUZ => "float8e5m2fnuz",
        UInt4 => "uint4",
        Int4 => "int4",
        Float4E2M1 => "float4e2m1",
        Float8E8M0 => "float8e8m0",
        UInt2 => "uint2",
        Int2 => "int2",
        0 => "undefined",
        _ => $"type{dataType}",
    };
}
