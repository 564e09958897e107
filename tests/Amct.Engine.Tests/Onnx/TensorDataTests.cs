using Amct.Engine;
using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.Engine.Tests.Onnx;

[TestClass]
public sealed class TensorDataTests
{
    [TestMethod]
    public void Every_numeric_type_round_trips_through_raw_data()
    {
        AssertRoundTrip(new[] { 1.5f, -2.25f, float.MaxValue, float.NegativeInfinity });
        AssertRoundTrip(new[] { 1.5, -2.25, double.Epsilon, 1e300 });
        AssertRoundTrip(new[] { (Half)1.5f, (Half)(-0.125f), Half.MaxValue, Half.NaN });
        AssertRoundTrip(new[] { BFloat16.FromSingle(1.5f), BFloat16.FromSingle(-3e38f), new BFloat16(0x7FC0), new BFloat16(1) });
        AssertRoundTrip(new sbyte[] { -128, 0, 127, -1 });
        AssertRoundTrip(new byte[] { 0, 1, 255, 128 });
        AssertRoundTrip(new short[] { short.MinValue, -1, short.MaxValue, 7 });
        AssertRoundTrip(new ushort[] { 0, 1, ushort.MaxValue, 300 });
        AssertRoundTrip(new[] { int.MinValue, -1, int.MaxValue, 7 });
        AssertRoundTrip(new[] { 0u, 1u, uint.MaxValue, 300u });
        AssertRoundTrip(new[] { long.MinValue, -1L, long.MaxValue, 7L });
        AssertRoundTrip(new[] { 0ul, 1ul, ulong.MaxValue, 300ul });
        AssertRoundTrip(new[] { true, false, false, true });
    }

    private static void AssertRoundTrip<T>(T[] values)
        where T : unmanaged
    {
        var tensor = TensorData.FromArray<T>("t", [2, 2], values);
        var parsed = TensorProto.Parser.ParseFrom(tensor.ToByteArray());
        CollectionAssert.AreEqual(values, TensorData.ToArray<T>(parsed), typeof(T).Name);
    }

    [TestMethod]
    public void Typed_fields_are_read_for_each_element_type()
    {
        var floats = new TensorProto { DataType = DataTypes.Float, Dims = { 3 }, FloatData = { 1f, 2f, 3f } };
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f }, TensorData.ToArray<float>(floats));

        var int8 = new TensorProto { DataType = DataTypes.Int8, Dims = { 3 }, Int32Data = { -128, 5, 127 } };
        CollectionAssert.AreEqual(new sbyte[] { -128, 5, 127 }, TensorData.ToArray<sbyte>(int8));

        var half = new TensorProto { DataType = DataTypes.Float16, Dims = { 2 }, Int32Data = { 0x3C00, 0xC000 } };
        CollectionAssert.AreEqual(new[] { (Half)1f, (Half)(-2f) }, TensorData.ToArray<Half>(half));

        var bf16 = new TensorProto { DataType = DataTypes.BFloat16, Dims = { 1 }, Int32Data = { 0x3FC0 } };
        Assert.AreEqual(1.5f, TensorData.ToArray<BFloat16>(bf16)[0].ToSingle());

        var flags = new TensorProto { DataType = DataTypes.Bool, Dims = { 3 }, Int32Data = { 1, 0, 1 } };
        CollectionAssert.AreEqual(new[] { true, false, true }, TensorData.ToArray<bool>(flags));

        var uint32 = new TensorProto { DataType = DataTypes.UInt32, Dims = { 2 }, Uint64Data = { 4_000_000_000, 1 } };
        CollectionAssert.AreEqual(new[] { 4_000_000_000u, 1u }, TensorData.ToArray<uint>(uint32));

        var uint64 = new TensorProto { DataType = DataTypes.UInt64, Dims = { 1 }, Uint64Data = { ulong.MaxValue } };
        CollectionAssert.AreEqual(new[] { ulong.MaxValue }, TensorData.ToArray<ulong>(uint64));

        var int64 = new TensorProto { DataType = DataTypes.Int64, Dims = { 2 }, Int64Data = { -5, 9 } };
        CollectionAssert.AreEqual(new[] { -5L, 9L }, TensorData.ToArray<long>(int64));

        var doubles = new TensorProto { DataType = DataTypes.Double, Dims = { 1 }, DoubleData = { 0.1 } };
        CollectionAssert.AreEqual(new[] { 0.1 }, TensorData.ToArray<double>(doubles));

        var uint16 = new TensorProto { DataType = DataTypes.UInt16, Dims = { 1 }, Int32Data = { 65535 } };
        CollectionAssert.AreEqual(new ushort[] { 65535 }, TensorData.ToArray<ushort>(uint16));
    }

    [TestMethod]
    public void Raw_bool_bytes_other_than_one_read_as_true()
    {
        var tensor = new TensorProto { DataType = DataTypes.Bool, Dims = { 3 }, RawData = ByteString.CopyFrom(0, 2, 255) };
        CollectionAssert.AreEqual(new[] { false, true, true }, TensorData.ToArray<bool>(tensor));
    }

    [TestMethod]
    public void Strings_round_trip_as_utf8()
    {
        var tensor = TensorData.FromStrings("s", [2], ["naïve", ""]);
        CollectionAssert.AreEqual(new[] { "naïve", "" }, TensorData.ToStrings(tensor));
    }

    [TestMethod]
    public void Sub_byte_types_count_packed_bytes()
    {
        // Three int4 values need two bytes.
        var packed = new TensorProto { DataType = DataTypes.Int4, Dims = { 3 }, RawData = ByteString.CopyFrom(0x21, 0x03) };
        Assert.AreEqual(3, TensorData.CheckedElementCount(packed, "m.onnx"));
        var typed = new TensorProto { DataType = DataTypes.UInt4, Dims = { 3 }, Int32Data = { 0x21, 0x03 } };
        CollectionAssert.AreEqual(new byte[] { 0x21, 0x03 }, TensorData.ToRawBytes(typed));
    }

    [TestMethod]
    public void A_tensor_declaring_far_more_elements_than_it_holds_is_an_error_before_any_allocation()
    {
        // 10^12 float elements would need 4 TB; the check must come before any buffer is sized from the dims.
        var tensor = new TensorProto { Name = "huge", DataType = DataTypes.Float, Dims = { 1_000_000, 1_000_000 }, RawData = ByteString.CopyFrom(new byte[16]) };
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.ThrowsExactly<AmctException>(() => TensorData.ToArray<float>(tensor, "m.onnx"));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.AreEqual(ErrorCodes.TensorDataMismatch, error.Code);
        Assert.AreEqual("m.onnx", error.Target);
        StringAssert.Contains(error.Message, "huge");
        StringAssert.Contains(error.Message, "4000000000000");
        Assert.IsLessThan(1_000_000, allocated, $"allocated {allocated} bytes");
    }

    [TestMethod]
    public void Typed_field_count_mismatch_is_an_error()
    {
        var tensor = new TensorProto { Name = "w", DataType = DataTypes.Float, Dims = { 4 }, FloatData = { 1f, 2f } };
        var error = Assert.ThrowsExactly<AmctException>(() => TensorData.CheckedElementCount(tensor, "m.onnx"));
        StringAssert.Contains(error.Message, "need 4 float_data entries but the tensor holds 2");
    }

    [TestMethod]
    public void Negative_and_overflowing_dims_are_errors()
    {
        var negative = new TensorProto { Name = "n", DataType = DataTypes.Float, Dims = { 2, -1 } };
        Assert.AreEqual(ErrorCodes.TensorDataMismatch,
            Assert.ThrowsExactly<AmctException>(() => TensorData.CheckedElementCount(negative, "m.onnx")).Code);
        var overflow = new TensorProto { Name = "o", DataType = DataTypes.Float, Dims = { long.MaxValue, 4 } };
        StringAssert.Contains(
            Assert.ThrowsExactly<AmctException>(() => TensorData.CheckedElementCount(overflow, "m.onnx")).Message, "overflow");
    }

    [TestMethod]
    public void Reading_a_tensor_as_the_wrong_type_is_an_error()
    {
        var tensor = TensorData.FromArray<float>("f", [1], [1f]);
        Assert.AreEqual(ErrorCodes.TensorTypeUnsupported,
            Assert.ThrowsExactly<AmctException>(() => TensorData.ToArray<int>(tensor)).Code);
    }

    [TestMethod]
    public void BFloat16_rounds_to_nearest_even()
    {
        Assert.AreEqual(1.0f, BFloat16.FromSingle(1.00390625f).ToSingle()); // exactly halfway: round to even
        Assert.AreEqual(1.015625f, BFloat16.FromSingle(1.01171875f).ToSingle()); // halfway, odd below: round up
        Assert.IsTrue(float.IsNaN(BFloat16.FromSingle(float.NaN).ToSingle()));
    }
}
