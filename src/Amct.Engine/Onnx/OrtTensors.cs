using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Amct.Engine.Onnx;

/// <summary>
/// Moves tensors between ONNX's <see cref="TensorProto"/> and ONNX Runtime's <see cref="OrtValue"/>. Both store
/// fixed-width elements little-endian and back to back, and ONNX Runtime's element type numbers are ONNX's, so the
/// bytes are copied as they are, for every element type either side knows.
/// </summary>
public static class OrtTensors
{
    /// <summary>A new OrtValue holding a copy of the tensor. The caller disposes it.</summary>
    public static OrtValue ToOrtValue(TensorProto tensor, string? source = null)
    {
        source ??= TensorData.TensorLabel(tensor);
        var shape = tensor.Dims.ToArray();
        if (tensor.DataType == DataTypes.String)
        {
            var strings = TensorData.ToStrings(tensor, source);
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            for (var i = 0; i < strings.Length; i++)
            {
                value.StringTensorSetElementAt(strings[i].AsSpan(), i);
            }
            return value;
        }
        var ortValue = OrtValue.CreateAllocatedTensorValue(
            OrtAllocator.DefaultInstance, (TensorElementType)tensor.DataType, shape);
        if (tensor.HasRawData && TensorData.CheckedElementCount(tensor, source) >= 0)
        {
            // Straight from the protobuf buffer into ONNX Runtime's: no intermediate array per batch.
            tensor.RawData.Span.CopyTo(ortValue.GetTensorMutableRawData());
        }
        else
        {
            TensorData.ToRawBytes(tensor, source).CopyTo(ortValue.GetTensorMutableRawData());
        }
        return ortValue;
    }

    /// <summary>A TensorProto (raw_data form) copied from a tensor OrtValue.</summary>
    public static TensorProto ToTensorProto(OrtValue value, string name)
    {
        if (value.OnnxType != OnnxValueType.ONNX_TYPE_TENSOR)
        {
            throw new ArgumentException($"'{name}' is a {value.OnnxType}, not a tensor", nameof(value));
        }
        var info = value.GetTensorTypeAndShape();
        var tensor = new TensorProto { Name = name, DataType = (int)info.ElementDataType };
        tensor.Dims.AddRange(info.Shape);
        if (info.ElementDataType == TensorElementType.String)
        {
            tensor.StringData.AddRange(value.GetStringTensorAsArray().Select(ByteString.CopyFromUtf8));
        }
        else
        {
            // The raw view spans every byte of the tensor whatever its element type.
            tensor.RawData = ByteString.CopyFrom(value.GetTensorMutableRawData());
        }
        return tensor;
    }
}
