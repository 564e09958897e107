using System.Buffers.Binary;
using System.Text;
using Amct.Engine.Onnx;

namespace Amct.Engine.Data.Npy;

/// <summary>
/// The header of an .npy array: element type, shape and where the data starts. The layout (numpy's format, versions
/// 1.0 to 3.0): the magic <c>\x93NUMPY</c>, a major and a minor version byte, the header length (2 bytes
/// little-endian in version 1, 4 bytes in versions 2 and 3), then a Python dict literal with <c>descr</c>,
/// <c>fortran_order</c> and <c>shape</c>, padded with spaces and ended by a newline. The data follows: the elements
/// in C (row-major) order, back to back.
/// </summary>
internal sealed record NpyHeader(int ElementType, IReadOnlyList<long> Shape, long DataOffset, long DataByteLength)
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy itself refuses headers over 10,000 bytes unless told otherwise; anything near this bound is not a header.
    private const int MaxHeaderLength = 1 << 20;

    /// <summary>
    /// Reads the header from the start of <paramref name="stream"/> and checks the data it declares fits in
    /// <paramref name="streamLength"/> bytes. Leaves the stream at the first data byte.
    /// </summary>
    /// <param name="stream">The .npy bytes, positioned at their start.</param>
    /// <param name="streamLength">How many bytes the .npy holds in all (file length, or zip entry length).</param>
    /// <param name="path">The file, for errors.</param>
    /// <param name="label">How messages name the array.</param>
    public static NpyHeader Read(Stream stream, long streamLength, string path, string label)
    {
        Span<byte> prefix = stackalloc byte[12];
        if (stream.ReadAtLeast(prefix[..8], 8, throwOnEndOfStream: false) < 8 || !prefix[..6].SequenceEqual(Magic))
        {
            throw DataErrors.Corrupt(path, label, "it is not an .npy array (it does not start with \\x93NUMPY)");
        }
        var major = prefix[6];
        var lengthBytes = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw DataErrors.Corrupt(path, label,
                $"it is .npy format version {major}.{prefix[7]}, and this version reads versions 1.0 to 3.0"),
        };
        if (stream.ReadAtLeast(prefix.Slice(8, lengthBytes), lengthBytes, throwOnEndOfStream: false) < lengthBytes)
        {
            throw DataErrors.Corrupt(path, label, "the file ends inside the header");
        }
        var headerLength = lengthBytes == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        var dataOffset = 8L + lengthBytes + headerLength;
        if (headerLength > MaxHeaderLength || dataOffset > streamLength)
        {
            throw DataErrors.Corrupt(path, label,
                $"the header claims {headerLength} bytes, more than the file holds or any header needs");
        }
        var headerBytes = new byte[headerLength];
        if (stream.ReadAtLeast(headerBytes, headerBytes.Length, throwOnEndOfStream: false) < headerBytes.Length)
        {
            throw DataErrors.Corrupt(path, label, "the file ends inside the header");
        }
        // Version 3 only changed the header's text encoding from latin-1 to UTF-8.
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        var (elementType, shape) = ParseDict(text, path, label);
        var dataLength = DataLength(elementType, shape, path, label);
        if (dataOffset + dataLength > streamLength)
        {
            throw DataErrors.Corrupt(path, label,
                $"the header declares {DataTypes.Name(elementType)} {DataErrors.Dims(shape)}, {dataLength} bytes of " +
                $"data, but only {streamLength - dataOffset} bytes follow it");
        }
        return new NpyHeader(elementType, shape, dataOffset, dataLength);
    }

    private static (int ElementType, long[] Shape) ParseDict(string text, string path, string label)
    {
        object? literal;
        try
        {
            literal = PythonLiteral.Parse(text);
        }
        catch (FormatException e)
        {
            throw DataErrors.Corrupt(path, label, $"its header does not parse ({e.Message})", e);
        }
        if (literal is not Dictionary<string, object?> dict
            || !dict.TryGetValue("descr", out var descr)
            || !dict.TryGetValue("fortran_order", out var fortranOrder)
            || !dict.TryGetValue("shape", out var shapeValue))
        {
            throw DataErrors.Corrupt(path, label, "its header is not a dict with 'descr', 'fortran_order' and 'shape'");
        }
        if (fortranOrder is not bool isFortran || shapeValue is not List<object?> dims
            || dims.Any(d => d is not long length || length < 0))
        {
            throw DataErrors.Corrupt(path, label,
                "its header's 'fortran_order' is not True/False or its 'shape' is not a tuple of sizes");
        }
        var elementType = NpyDescr.ToElementType(descr, path, label);
        var shape = dims.Cast<long>().ToArray();
        if (isFortran)
        {
            throw new AmctException(ErrorCodes.DataFortranOrder, path,
                $"{label} stores its {DataErrors.Dims(shape)} array in Fortran (column-major) order, and samples are " +
                "read as rows in C order. Save it in C order: numpy.save(path, numpy.ascontiguousarray(array)).");
        }
        return (elementType, shape);
    }

    private static long DataLength(int elementType, long[] shape, string path, string label)
    {
        try
        {
            long count = 1;
            foreach (var dim in shape)
            {
                count = checked(count * dim);
            }
            return DataTypes.RawByteLength(elementType, count);
        }
        catch (OverflowException)
        {
            throw DataErrors.Corrupt(path, label, $"its shape {DataErrors.Dims(shape)} overflows a 64-bit size");
        }
    }
}
