using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;

namespace Amct.TestSupport;

/// <summary>
/// Writes numpy .npy and .npz files in numpy's own layout, so tests make the data they read instead of checking
/// binary files in. Also writes deliberately broken files: any header text, any version.
/// </summary>
public static class NpyWriter
{
    /// <summary>The .npy bytes of <paramref name="values"/> with the given shape.</summary>
    public static byte[] Bytes<T>(long[] shape, ReadOnlySpan<T> values, int version = 1)
        where T : unmanaged =>
        Bytes(DescrOf<T>(), shape, MemoryMarshal.AsBytes(values), version);

    /// <summary>The .npy bytes of raw <paramref name="data"/> under a header with the given descr and shape.</summary>
    public static byte[] Bytes(string descr, long[] shape, ReadOnlySpan<byte> data, int version = 1, bool fortranOrder = false) =>
        WithHeader(Header(descr, fortranOrder, shape), data, version);

    /// <summary>The header dict as numpy writes it, e.g. <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (2, 3), }</c>.</summary>
    public static string Header(string descr, bool fortranOrder, long[] shape)
    {
        var dims = shape.Length == 1
            ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        return $"{{'descr': '{descr}', 'fortran_order': {(fortranOrder ? "True" : "False")}, 'shape': {dims}, }}";
    }

    /// <summary>
    /// Magic, version, header length, the header (padded with spaces and a newline so the data starts at a multiple
    /// of 64 bytes, as numpy does), then <paramref name="data"/>.
    /// </summary>
    public static byte[] WithHeader(string header, ReadOnlySpan<byte> data, int version = 1)
    {
        var lengthBytes = version == 1 ? 2 : 4;
        var prefixLength = 8 + lengthBytes;
        var encoding = version == 3 ? Encoding.UTF8 : Encoding.Latin1;
        var text = encoding.GetBytes(header);
        var padded = (prefixLength + text.Length + 1 + 63) / 64 * 64 - prefixLength;
        var bytes = new byte[prefixLength + padded + data.Length];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY").CopyTo(bytes, 1);
        bytes[6] = (byte)version;
        bytes[7] = 0;
        if (lengthBytes == 2)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)padded);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)padded);
        }
        var headerSpan = bytes.AsSpan(prefixLength, padded);
        headerSpan.Fill((byte)' ');
        text.CopyTo(headerSpan);
        headerSpan[^1] = (byte)'\n';
        data.CopyTo(bytes.AsSpan(prefixLength + padded));
        return bytes;
    }

    /// <summary>Writes an .npy file.</summary>
    public static void Write<T>(string path, long[] shape, ReadOnlySpan<T> values, int version = 1)
        where T : unmanaged =>
        File.WriteAllBytes(path, Bytes(shape, values, version));

    /// <summary>
    /// Writes an .npz: one "&lt;key&gt;.npy" entry per array, deflated (numpy.savez_compressed) or stored
    /// (numpy.savez).
    /// </summary>
    public static void WriteNpz(string path, bool compressed, params (string Key, byte[] Npy)[] arrays)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        using var zip = new ZipArchive(file, ZipArchiveMode.Create);
        foreach (var (key, npy) in arrays)
        {
            var entry = zip.CreateEntry(key + ".npy", compressed ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
            using var stream = entry.Open();
            stream.Write(npy);
        }
    }

    /// <summary>numpy's descr for a CLR element type, little-endian.</summary>
    public static string DescrOf<T>() => default(T) switch
    {
        float => "<f4",
        double => "<f8",
        Half => "<f2",
        sbyte => "|i1",
        byte => "|u1",
        short => "<i2",
        ushort => "<u2",
        int => "<i4",
        uint => "<u4",
        long => "<i8",
        ulong => "<u8",
        bool => "|b1",
        _ => throw new ArgumentException($"{typeof(T).Name} has no numpy dtype here", nameof(T)),
    };
}
