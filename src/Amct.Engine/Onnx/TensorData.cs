using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;

namespace Amct.Engine.Onnx;

/// <summary>
/// Converts between <see cref="TensorProto"/> and typed arrays for every fixed-width ONNX element type, whichever
/// of raw_data or the typed fields holds the elements. Element counts are checked against the data before anything
/// is allocated, so a tensor that declares more elements than it holds is an error, not an out-of-memory.
/// </summary>
public static class TensorData
{
    /// <summary>
    /// Checks that the tensor's data holds exactly the elements its dims declare and returns that count.
    /// External tensors must have been loaded (see <see cref="ModelLoader"/>) before this is called.
    /// </summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="source">The file (or other origin) to name in an error.</param>
    public static long CheckedElementCount(TensorProto tensor, string source)
    {
        var count = DeclaredElementCount(tensor, source);
        var type = tensor.DataType;
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw Mismatch(tensor, source, "its data is still in an external file");
        }
        if (type == DataTypes.String)
        {
            if (tensor.StringData.Count != count)
            {
                throw Mismatch(tensor, source, $"dims declare {count} strings but string_data holds {tensor.StringData.Count}");
            }
            return count;
        }
        if (!DataTypes.IsKnownFixedWidth(type))
        {
            throw new AmctException(ErrorCodes.TensorTypeUnsupported, source,
                $"tensor '{tensor.Name}' has element type {DataTypes.Name(type)}, which this version does not know. " +
                "Re-export the model with a standard ONNX element type.");
        }
        long held;
        long expected;
        string field;
        if (tensor.HasRawData)
        {
            held = tensor.RawData.Length;
            expected = DataTypes.RawByteLength(type, count);
            field = "raw_data bytes";
        }
        else
        {
            (held, field) = TypedFieldCount(tensor);
            expected = ExpectedTypedFieldCount(type, count);
        }
        if (held != expected)
        {
            throw Mismatch(tensor, source, $"dims {FormatDims(tensor.Dims)} need {expected} {field} but the tensor holds {held}");
        }
        return count;
    }

    /// <summary>The product of the dims (or the segment's length), checked for negative dims and overflow.</summary>
    public static long DeclaredElementCount(TensorProto tensor, string source)
    {
        if (tensor.Segment is { } segment)
        {
            if (segment.Begin < 0 || segment.End < segment.Begin)
            {
                throw Mismatch(tensor, source, $"its segment [{segment.Begin}, {segment.End}) is invalid");
            }
            return segment.End - segment.Begin;
        }
        long count = 1;
        foreach (var dim in tensor.Dims)
        {
            if (dim < 0)
            {
                throw Mismatch(tensor, source, $"it has a negative dimension in {FormatDims(tensor.Dims)}");
            }
            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                throw Mismatch(tensor, source, $"dims {FormatDims(tensor.Dims)} overflow a 64-bit element count");
            }
        }
        // Whatever the element type (up to 16 bytes), its byte length must be a 64-bit number too.
        if (count > long.MaxValue / 128)
        {
            throw Mismatch(tensor, source, $"dims {FormatDims(tensor.Dims)} declare more data than any file can hold");
        }
        return count;
    }

    /// <summary>The tensor's elements as little-endian bytes packed back to back, as raw_data stores them.</summary>
    public static byte[] ToRawBytes(TensorProto tensor, string? source = null)
    {
        source ??= TensorLabel(tensor);
        var count = CheckedElementCount(tensor, source);
        if (tensor.DataType == DataTypes.String)
        {
            throw new ArgumentException("string tensors have no raw form", nameof(tensor));
        }
        if (tensor.HasRawData)
        {
            return tensor.RawData.ToByteArray();
        }
        var type = tensor.DataType;
        switch (type)
        {
            case DataTypes.Float or DataTypes.Complex64:
                return MemoryMarshal.AsBytes(tensor.FloatData.ToArray().AsSpan()).ToArray();
            case DataTypes.Double or DataTypes.Complex128:
                return MemoryMarshal.AsBytes(tensor.DoubleData.ToArray().AsSpan()).ToArray();
            case DataTypes.Int64:
                return MemoryMarshal.AsBytes(tensor.Int64Data.ToArray().AsSpan()).ToArray();
            case DataTypes.UInt64:
                return MemoryMarshal.AsBytes(tensor.Uint64Data.ToArray().AsSpan()).ToArray();
            case DataTypes.UInt32:
                return MemoryMarshal.AsBytes(tensor.Uint64Data.Select(v => (uint)v).ToArray().AsSpan()).ToArray();
            case DataTypes.Int32:
                return MemoryMarshal.AsBytes(tensor.Int32Data.ToArray().AsSpan()).ToArray();
            case DataTypes.Int16 or DataTypes.UInt16 or DataTypes.Float16 or DataTypes.BFloat16:
                return MemoryMarshal.AsBytes(tensor.Int32Data.Select(v => (ushort)v).ToArray().AsSpan()).ToArray();
            default:
                // One byte per int32 entry: 8-bit types, and the packed bytes of the 4- and 2-bit types.
                var bytes = new byte[DataTypes.RawByteLength(type, count)];
                for (var i = 0; i < bytes.Length; i++)
                {
                    bytes[i] = (byte)tensor.Int32Data[i];
                }
                return bytes;
        }
    }

    /// <summary>The elements as an array of the CLR type matching the element type (see <see cref="ClrTypeOf"/>).</summary>
    public static T[] ToArray<T>(TensorProto tensor, string? source = null)
        where T : unmanaged
    {
        var expectedType = DataTypeOf<T>();
        if (tensor.DataType != expectedType)
        {
            throw new AmctException(ErrorCodes.TensorTypeUnsupported, source ?? TensorLabel(tensor),
                $"tensor '{tensor.Name}' holds {DataTypes.Name(tensor.DataType)}, not {DataTypes.Name(expectedType)}.");
        }
        var raw = ToRawBytes(tensor, source);
        if (typeof(T) == typeof(bool))
        {
            // Any non-zero byte is true; a CLR bool must be exactly 0 or 1.
            var flags = new bool[raw.Length];
            for (var i = 0; i < raw.Length; i++)
            {
                flags[i] = raw[i] != 0;
            }
            return (T[])(object)flags;
        }
        return MemoryMarshal.Cast<byte, T>(raw).ToArray();
    }

    /// <summary>Any real numeric tensor as doubles (for metrics and comparisons).</summary>
    public static double[] ToDoubles(TensorProto tensor, string? source = null) => tensor.DataType switch
    {
        DataTypes.Float => Array.ConvertAll(ToArray<float>(tensor, source), v => (double)v),
        DataTypes.Double => ToArray<double>(tensor, source),
        DataTypes.Float16 => Array.ConvertAll(ToArray<Half>(tensor, source), v => (double)v),
        DataTypes.BFloat16 => Array.ConvertAll(ToArray<BFloat16>(tensor, source), v => (double)v.ToSingle()),
        DataTypes.Int8 => Array.ConvertAll(ToArray<sbyte>(tensor, source), v => (double)v),
        DataTypes.UInt8 => Array.ConvertAll(ToArray<byte>(tensor, source), v => (double)v),
        DataTypes.Int16 => Array.ConvertAll(ToArray<short>(tensor, source), v => (double)v),
        DataTypes.UInt16 => Array.ConvertAll(ToArray<ushort>(tensor, source), v => (double)v),
        DataTypes.Int32 => Array.ConvertAll(ToArray<int>(tensor, source), v => (double)v),
        DataTypes.UInt32 => Array.ConvertAll(ToArray<uint>(tensor, source), v => (double)v),
        DataTypes.Int64 => Array.ConvertAll(ToArray<long>(tensor, source), v => (double)v),
        DataTypes.UInt64 => Array.ConvertAll(ToArray<ulong>(tensor, source), v => (double)v),
        DataTypes.Bool => Array.ConvertAll(ToArray<bool>(tensor, source), v => v ? 1.0 : 0.0),
        _ => throw new AmctException(ErrorCodes.TensorTypeUnsupported, source ?? TensorLabel(tensor),
            $"tensor '{tensor.Name}' holds {DataTypes.Name(tensor.DataType)}, which has no real numeric value."),
    };

    /// <summary>The elements of a STRING tensor, decoded as UTF-8.</summary>
    public static string[] ToStrings(TensorProto tensor, string? source = null)
    {
        CheckedElementCount(tensor, source ?? TensorLabel(tensor));
        return tensor.StringData.Select(s => s.ToStringUtf8()).ToArray();
    }

    /// <summary>A tensor holding <paramref name="values"/> in raw_data, the form ONNX writers use.</summary>
    public static TensorProto FromArray<T>(string name, ReadOnlySpan<long> dims, ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var tensor = NewTensor(name, dims, DataTypeOf<T>(), values.Length);
        tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values));
        return tensor;
    }

    /// <summary>A STRING tensor (UTF-8 encoded).</summary>
    public static TensorProto FromStrings(string name, ReadOnlySpan<long> dims, IEnumerable<string> values)
    {
        var encoded = values.Select(v => ByteString.CopyFrom(v, Encoding.UTF8)).ToList();
        var tensor = NewTensor(name, dims, DataTypes.String, encoded.Count);
        tensor.StringData.AddRange(encoded);
        return tensor;
    }

    /// <summary>The ONNX element type for a CLR element type.</summary>
    public static int DataTypeOf<T>() => ClrToDataType.TryGetValue(typeof(T), out var type)
        ? type
        : throw new ArgumentException($"{typeof(T).Name} is not an ONNX element type", nameof(T));

    /// <summary>The CLR element type for an ONNX element type, or null when none matches.</summary>
    public static Type? ClrTypeOf(int dataType) =>
        ClrToDataType.FirstOrDefault(pair => pair.Value == dataType).Key;

    /// <summary>"name" of a tensor, or a stand-in for an unnamed one, for messages.</summary>
    public static string TensorLabel(TensorProto tensor) =>
        string.IsNullOrEmpty(tensor.Name) ? "<unnamed tensor>" : tensor.Name;

    public static string FormatDims(IEnumerable<long> dims) => "[" + string.Join(",", dims) + "]";

    private static readonly Dictionary<Type, int> ClrToDataType = new()
    {
        [typeof(float)] = DataTypes.Float,
        [typeof(double)] = DataTypes.Double,
        [typeof(Half)] = DataTypes.Float16,
        [typeof(BFloat16)] = DataTypes.BFloat16,
        [typeof(sbyte)] = DataTypes.Int8,
        [typeof(byte)] = DataTypes.UInt8,
        [typeof(short)] = DataTypes.Int16,
        [typeof(ushort)] = DataTypes.UInt16,
        [typeof(int)] = DataTypes.Int32,
        [typeof(uint)] = DataTypes.UInt32,
        [typeof(long)] = DataTypes.Int64,
        [typeof(ulong)] = DataTypes.UInt64,
        [typeof(bool)] = DataTypes.Bool,
    };

    private static TensorProto NewTensor(string name, ReadOnlySpan<long> dims, int dataType, long valueCount)
    {
        var tensor = new TensorProto { Name = name, DataType = dataType };
        long count = 1;
        foreach (var dim in dims)
        {
            tensor.Dims.Add(dim);
            count *= dim;
        }
        if (count != valueCount)
        {
            throw new ArgumentException(
                $"dims {FormatDims(dims.ToArray())} hold {count} elements but {valueCount} values were given", nameof(dims));
        }
        return tensor;
    }

    private static (long Count, string Field) TypedFieldCount(TensorProto tensor) => tensor.DataType switch
    {
        DataTypes.Float or DataTypes.Complex64 => (tensor.FloatData.Count, "float_data entries"),
        DataTypes.Double or DataTypes.Complex128 => (tensor.DoubleData.Count, "double_data entries"),
        DataTypes.Int64 => (tensor.Int64Data.Count, "int64_data entries"),
        DataTypes.UInt32 or DataTypes.UInt64 => (tensor.Uint64Data.Count, "uint64_data entries"),
        _ => (tensor.Int32Data.Count, "int32_data entries"),
    };

    private static long ExpectedTypedFieldCount(int dataType, long count) => dataType switch
    {
        DataTypes.Complex64 or DataTypes.Complex128 => checked(count * 2),
        // Sub-byte types keep one packed byte per int32 entry.
        DataTypes.Int4 or DataTypes.UInt4 or DataTypes.Float4E2M1 or DataTypes.Int2 or DataTypes.UInt2 =>
            DataTypes.RawByteLength(dataType, count),
        _ => count,
    };

    private static AmctException Mismatch(TensorProto tensor, string source, string detail) =>
        new(ErrorCodes.TensorDataMismatch, source,
            $"tensor '{TensorLabel(tensor)}' is malformed: {detail}. The model file is damaged or was written by a " +
            "faulty exporter; re-export it.");
}
