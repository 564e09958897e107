using System.Runtime.InteropServices;
using System.Text;
using Amct.Engine.Onnx;
using Amct.TestSupport;
using static Amct.Engine.Tests.Data.DataAssert;

namespace Amct.Engine.Tests.Data;

/// <summary>.npy files: every format version and element type, and every way a file can be unreadable.</summary>
[TestClass]
public sealed class NpyTests
{
    [TestMethod]
    [DataRow(1)]
    [DataRow(2)]
    [DataRow(3)]
    public void Every_format_version_reads_rows_along_axis_0(int version)
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        NpyWriter.Write<float>(path, [3, 2], [1, 2, 3, 4, 5, 6], version);
        var samples = ReadAll(path, Float("x", N, 2));
        Assert.HasCount(3, samples);
        CollectionAssert.AreEqual(new float[] { 3, 4 }, Floats(samples[1], "x"));
        CollectionAssert.AreEqual(new long[] { 2 }, Dims(samples[1], "x"));
        Assert.AreEqual(1, samples[1].Index);
        Assert.IsNull(samples[1].Name);
        Assert.AreEqual("x", samples[1].Inputs["x"].Name);
        Assert.AreEqual(DataTypes.Float, samples[1].Inputs["x"].DataType);
    }

    [TestMethod]
    public void Every_element_type_keeps_its_bytes()
    {
        AssertRoundTrip<float>(DataTypes.Float, [1.5f, -2, 0, 7]);
        AssertRoundTrip<double>(DataTypes.Double, [1.5, -2, 0, 1e300]);
        AssertRoundTrip<Half>(DataTypes.Float16, [(Half)1.5, (Half)(-2), Half.Zero, (Half)65504]);
        AssertRoundTrip<sbyte>(DataTypes.Int8, [-128, 127, 0, 5]);
        AssertRoundTrip<byte>(DataTypes.UInt8, [0, 255, 1, 2]);
        AssertRoundTrip<short>(DataTypes.Int16, [short.MinValue, short.MaxValue, 0, 1]);
        AssertRoundTrip<ushort>(DataTypes.UInt16, [0, ushort.MaxValue, 1, 2]);
        AssertRoundTrip<int>(DataTypes.Int32, [int.MinValue, int.MaxValue, 0, 1]);
        AssertRoundTrip<uint>(DataTypes.UInt32, [0, uint.MaxValue, 1, 2]);
        AssertRoundTrip<long>(DataTypes.Int64, [long.MinValue, long.MaxValue, 0, 1]);
        AssertRoundTrip<ulong>(DataTypes.UInt64, [0, ulong.MaxValue, 1, 2]);
        AssertRoundTrip<bool>(DataTypes.Bool, [true, false, false, true]);
    }

    [TestMethod]
    [DataRow("=f4")]
    [DataRow("f4")]
    [DataRow(">i1")]
    public void Native_and_single_byte_orders_are_accepted(string descr)
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        var elementType = descr.EndsWith("f4", StringComparison.Ordinal) ? DataTypes.Float : DataTypes.Int8;
        var size = elementType == DataTypes.Float ? 4 : 1;
        File.WriteAllBytes(path, NpyWriter.Bytes(descr, [2, 1], new byte[2 * size]));
        Assert.HasCount(2, ReadAll(path, Input("x", elementType, N, 1)));
    }

    [TestMethod]
    public void A_python_2_header_with_long_sizes_is_read()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        File.WriteAllBytes(path, NpyWriter.WithHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 1L), }",
            MemoryMarshal.AsBytes<float>([1f, 2f])));
        Assert.HasCount(2, ReadAll(path, Float("x", N, 1)));
    }

    [TestMethod]
    public void Fortran_order_is_AMCT3012()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        File.WriteAllBytes(path, NpyWriter.Bytes("<f4", [2, 3], new byte[24], fortranOrder: true));
        Fails(path, [Float("x", N, 3)], ErrorCodes.DataFortranOrder, path, "Fortran", "ascontiguousarray");
    }

    [TestMethod]
    public void Big_endian_data_is_AMCT3011()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        File.WriteAllBytes(path, NpyWriter.Bytes(">f4", [2, 3], new byte[24]));
        Fails(path, [Float("x", N, 3)], ErrorCodes.DataTypeUnsupported, path, "big-endian float32", "astype('<f4')");
    }

    [TestMethod]
    [DataRow("|O", "Python objects")]
    [DataRow("<U5", "strings")]
    [DataRow("|S3", "strings")]
    [DataRow("<c8", "complex")]
    [DataRow("<M8[ns]", "dtype '<M8[ns]'")]
    public void Object_string_and_other_dtypes_are_AMCT3011(string descr, string what)
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        File.WriteAllBytes(path, NpyWriter.Bytes(descr, [2], new byte[64]));
        Fails(path, [Float("x", N)], ErrorCodes.DataTypeUnsupported, path, "'x.npy'", what);
    }

    [TestMethod]
    public void A_structured_dtype_is_AMCT3011()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        File.WriteAllBytes(path, NpyWriter.WithHeader(
            "{'descr': [('a', '<f4'), ('b', '<i8')], 'fortran_order': False, 'shape': (2,), }", new byte[24]));
        Fails(path, [Float("x", N)], ErrorCodes.DataTypeUnsupported, path, "structured");
    }

    [TestMethod]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)", "does not parse")]
    [DataRow("{'descr': '<f4', 'fortran_order': False}", "'shape'")]
    [DataRow("{'descr': '<f4', 'fortran_order': 0, 'shape': (2, 3)}", "fortran_order")]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}", "shape")]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'a')}", "shape")]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "does not parse")]
    [DataRow("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", "twice")]
    [DataRow("['descr', '<f4']", "not a dict")]
    [DataRow("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } trailing", "does not parse")]
    [DataRow("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}", "does not parse")]
    [DataRow("", "does not parse")]
    public void A_header_that_does_not_parse_is_AMCT3010(string header, string messagePart)
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        File.WriteAllBytes(path, NpyWriter.WithHeader(header, new byte[24]));
        Fails(path, [Float("x", N, 3)], ErrorCodes.DataCorrupt, path, "'x.npy' is damaged", messagePart);
    }

    [TestMethod]
    public void Deeply_nested_headers_are_rejected_without_overflowing_the_stack()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        var header = "{'descr': " + new string('(', 5000) + new string(')', 5000) + "}";
        File.WriteAllBytes(path, NpyWriter.WithHeader(header, []));
        Fails(path, [Float("x", N)], ErrorCodes.DataCorrupt, path, "nested");
    }

    [TestMethod]
    public void Data_shorter_than_the_header_says_is_AMCT3010()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        var bytes = NpyWriter.Bytes<float>([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
        File.WriteAllBytes(path, bytes[..^1]);
        Fails(path, [Float("x", N, 2)], ErrorCodes.DataCorrupt, path, "32 bytes", "only 31");
    }

    [TestMethod]
    public void A_file_cut_anywhere_is_a_coded_error()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        var bytes = NpyWriter.Bytes<float>([4, 2], [1, 2, 3, 4, 5, 6, 7, 8], version: 2);
        for (var length = 0; length < bytes.Length; length++)
        {
            File.WriteAllBytes(path, bytes[..length]);
            Fails(path, [Float("x", N, 2)], ErrorCodes.DataCorrupt, path, "'x.npy' is damaged");
        }
    }

    [TestMethod]
    public void Not_an_npy_file_is_AMCT3010()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        File.WriteAllText(path, "1,2,3\n4,5,6\n");
        Fails(path, [Float("x", N, 3)], ErrorCodes.DataCorrupt, path, "\\x93NUMPY");
        var future = NpyWriter.Bytes<float>([1], [1f]);
        future[6] = 4;
        File.WriteAllBytes(path, future);
        Fails(path, [Float("x", N)], ErrorCodes.DataCorrupt, path, "version 4.0");
    }

    [TestMethod]
    public void A_header_length_beyond_the_file_is_AMCT3010()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        var bytes = NpyWriter.Bytes<float>([1], [1f], version: 2);
        bytes[8] = bytes[9] = bytes[10] = bytes[11] = 0xFF;
        File.WriteAllBytes(path, bytes);
        Fails(path, [Float("x", N)], ErrorCodes.DataCorrupt, path, "4294967295 bytes");
    }

    [TestMethod]
    public void Random_bytes_after_the_magic_are_always_a_coded_error()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        var random = new Random(42);
        for (var i = 0; i < 200; i++)
        {
            var bytes = new byte[random.Next(8, 300)];
            random.NextBytes(bytes);
            NpyWriter.Bytes<float>([1], [1f]).AsSpan(0, 8).CopyTo(bytes);
            File.WriteAllBytes(path, bytes);
            var error = Assert.ThrowsExactly<AmctException>(() => ReadAll(path, Float("x", N)), $"sample {i}");
            StringAssert.StartsWith(error.Code, "AMCT30");
            Assert.AreEqual(path, error.Target);
        }
    }

    [TestMethod]
    public void A_utf8_header_of_version_3_is_read()
    {
        using var temp = new TempFolder();
        var path = temp.File("x.npy");
        // Version 3 exists for non-latin-1 header text, such as a field name in a comment-like extra key.
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'note': 'データ', }";
        File.WriteAllBytes(path, NpyWriter.WithHeader(header, MemoryMarshal.AsBytes<float>([5f]), version: 3));
        Assert.AreEqual(5f, Floats(ReadAll(path, Float("x", N)).Single(), "x").Single());
        Assert.IsGreaterThan(header.Length, Encoding.UTF8.GetByteCount(header));
    }

    private static void AssertRoundTrip<T>(int elementType, T[] values)
        where T : unmanaged
    {
        using var temp = new TempFolder();
        var path = temp.File("v.npy");
        NpyWriter.Write<T>(path, [2, 2], values);
        var samples = ReadAll(path, Input("v", elementType, N, 2));
        Assert.HasCount(2, samples, typeof(T).Name);
        var bytes = samples.SelectMany(s => s.Inputs["v"].RawData.ToByteArray()).ToArray();
        CollectionAssert.AreEqual(MemoryMarshal.AsBytes(values.AsSpan()).ToArray(), bytes, typeof(T).Name);
        Assert.AreEqual(elementType, samples[0].Inputs["v"].DataType);
    }
}
