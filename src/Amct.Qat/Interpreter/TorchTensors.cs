using Amct.Engine.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace Amct.Qat.Interpreter;

/// <summary>ONNX tensors to torch tensors (float32 and the integer types shapes and indices use).</summary>
internal static class TorchTensors
{
    public static Tensor FromProto(TensorProto proto, string source)
    {
        var dims = proto.Dims.ToArray();
        return (TensorProto.Types.DataType)proto.DataType switch
        {
            TensorProto.Types.DataType.Float => tensor(TensorData.ToArray<float>(proto, source), dims),
            TensorProto.Types.DataType.Int64 => tensor(TensorData.ToArray<long>(proto, source), dims),
            TensorProto.Types.DataType.Int32 => tensor(TensorData.ToArray<int>(proto, source), dims).to(ScalarType.Int64),
            _ => tensor(TensorData.ToDoubles(proto, source).Select(v => (float)v).ToArray(), dims),
        };
    }

    /// <summary>The values of a small integer tensor (shapes, axes, pads given as inputs).</summary>
    public static long[] Longs(Tensor t) => t.to(ScalarType.Int64).data<long>().ToArray();
}
