using Amct.Engine.Onnx;

namespace Amct.Engine.Tests.Onnx;

[TestClass]
public sealed class OrtTensorsTests
{
    [TestMethod]
    public void Tensors_round_trip_through_onnx_runtime_values()
    {
        var floats = TensorData.FromArray<float>("f", [2, 3], [1, 2, 3, 4, 5, 6]);
        using (var value = OrtTensors.ToOrtValue(floats))
        {
            var back = OrtTensors.ToTensorProto(value, "f");
            CollectionAssert.AreEqual(new long[] { 2, 3 }, back.Dims.ToArray());
            CollectionAssert.AreEqual(new float[] { 1, 2, 3, 4, 5, 6 }, TensorData.ToArray<float>(back));
        }

        var int64 = new TensorProto { DataType = DataTypes.Int64, Dims = { 2 }, Int64Data = { -3, 1L << 40 } };
        using (var value = OrtTensors.ToOrtValue(int64))
        {
            CollectionAssert.AreEqual(new[] { -3L, 1L << 40 }, TensorData.ToArray<long>(OrtTensors.ToTensorProto(value, "i")));
        }

        var strings = TensorData.FromStrings("s", [2], ["a", "bc"]);
        using (var value = OrtTensors.ToOrtValue(strings))
        {
            CollectionAssert.AreEqual(new[] { "a", "bc" }, TensorData.ToStrings(OrtTensors.ToTensorProto(value, "s")));
        }
    }
}
