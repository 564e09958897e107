using Amct.Engine.IO;
using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.Engine.Data.TestData;

/// <summary>
/// A serialized TensorProto file (<c>input_K.pb</c> of an ONNX test data set) seen as rows along axis 0. A protobuf
/// cannot be read in part, so the file is parsed when opened (for its name, type and dims, then let go) and again
/// when its rows are read; memory holds one data set's tensor at a time, never the whole folder.
/// </summary>
internal sealed class TensorFileArray : RowArray
{
    private TensorFileArray(string path, string label, TensorProto tensor)
        : base(path, tensor.Name, label, tensor.DataType, tensor.Dims.ToArray())
    {
    }

    /// <summary>Reads and checks the tensor in <paramref name="path"/> (a full path).</summary>
    /// <param name="path">The .pb file.</param>
    /// <param name="label">How messages name it, e.g. "'test_data_set_0/input_0.pb'".</param>
    public static TensorFileArray Open(string path, string label) => new(path, label, Load(path, label));

    public override IRowReader OpenRows() => new Reader(TensorData.ToRawBytes(Load(Path, Label), Path), RowByteLength);

    private static TensorProto Load(string path, string label)
    {
        byte[] bytes;
        try
        {
            bytes = UserFile.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(path, e);
        }
        TensorProto tensor;
        try
        {
            tensor = TensorProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw DataErrors.Corrupt(path, label, $"it is not a serialized ONNX TensorProto ({e.Message.TrimEnd('.')})", e);
        }
        Check(tensor, path, label);
        return tensor;
    }

    private static void Check(TensorProto tensor, string path, string label)
    {
        if (tensor.DataType == 0)
        {
            throw DataErrors.Corrupt(path, label, "it holds no tensor (no element type); it is empty or not a TensorProto");
        }
        var bits = DataTypes.BitsPerElement(tensor.DataType);
        if (bits == 0 || bits % 8 != 0)
        {
            throw new AmctException(ErrorCodes.DataTypeUnsupported, path,
                $"{label} holds {DataTypes.Name(tensor.DataType)} elements, which cannot be split into samples here. " +
                "Save the data in the model input's numeric element type.");
        }
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw DataErrors.Corrupt(path, label, "its data is in an external file, which test data never uses");
        }
        try
        {
            TensorData.CheckedElementCount(tensor, path);
        }
        catch (AmctException e)
        {
            throw DataErrors.Corrupt(path, label,
                $"its data does not hold the elements its dims {DataErrors.Dims(tensor.Dims)} declare", e);
        }
    }

    private sealed class Reader(byte[] data, long rowLength) : IRowReader
    {
        private int _offset;

        public byte[] ReadRow()
        {
            var row = data.AsSpan(_offset, (int)rowLength).ToArray();
            _offset += row.Length;
            return row;
        }

        public void Dispose()
        {
        }
    }
}
