using Amct.Engine.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>
/// ONNX tensors to torch tensors. Values keep three kinds: float32 (every floating type, so autograd sees one type),
/// int64 (every integer type: shapes, indices, axes) and bool (masks and conditions).
/// </summary>
internal static class TorchTensors
{
    public static Tensor FromProto(TensorProto proto, string source)
    {
        var dims = proto.Dims.ToArray();
        return proto.DataType switch
        {
            DataTypes.Float => tensor(TensorData.ToArray<float>(proto, source), dims),
            DataTypes.Int64 => tensor(TensorData.ToArray<long>(proto, source), dims),
            DataTypes.Bool => tensor(TensorData.ToArray<bool>(proto, source), dims),
            _ when IsInteger(proto.DataType) => tensor(TensorData.ToDoubles(proto, source).Select(v => (long)v).ToArray(), dims),
            _ => tensor(TensorData.ToDoubles(proto, source).Select(v => (float)v).ToArray(), dims),
        };
    }

    /// <summary>The torch type an ONNX element type is held in (see the class comment); null for strings and the like.</summary>
    public static ScalarType? HeldAs(long onnxType) => onnxType switch
    {
        DataTypes.Bool => ScalarType.Bool,
        DataTypes.Float or DataTypes.Double or DataTypes.Float16 or DataTypes.BFloat16 => ScalarType.Float32,
        _ when IsInteger(onnxType) => ScalarType.Int64,
        _ => null,
    };

    /// <summary>The values of a small integer tensor (shapes, axes, pads given as inputs).</summary>
    public static long[] Longs(Tensor t) => t.to(ScalarType.Int64).data<long>().ToArray();

    private static bool IsInteger(long onnxType) => onnxType is DataTypes.Int8 or DataTypes.UInt8 or DataTypes.Int16
        or DataTypes.UInt16 or DataTypes.Int32 or DataTypes.UInt32 or DataTypes.Int64 or DataTypes.UInt64;
}
