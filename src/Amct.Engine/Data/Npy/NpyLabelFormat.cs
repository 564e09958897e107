using System.Buffers.Binary;
using Amct.Engine.IO;
using Amct.Engine.Onnx;

namespace Amct.Engine.Data.Npy;

/// <summary>Labels as a 1-D .npy array of int64 (numpy's default integer) or int32 class indices.</summary>
internal sealed class NpyLabelFormat : ILabelFormat
{
    public string Description => "1-D .npy array of int64 or int32 class indices";

    public bool CanRead(string path) => ArrayFile.IsNpy(path);

    public bool MatchesByName => false;

    public long[] Read(string path, IReadOnlyList<string>? sampleNames)
    {
        var label = $"'{Path.GetFileName(path)}'";
        try
        {
            using var stream = UserFile.OpenRead(path);
            var header = NpyHeader.Read(stream, stream.Length, path, label);
            if (header.Shape.Count != 1 || header.ElementType is not (DataTypes.Int64 or DataTypes.Int32))
            {
                throw new AmctException(ErrorCodes.LabelsInvalid, path,
                    $"{label} holds {DataTypes.Name(header.ElementType)} {DataErrors.Dims(header.Shape)}, but labels " +
                    "are a 1-D array of int64 or int32 class indices, one per sample. Save them as " +
                    "numpy.asarray(labels, dtype=numpy.int64).reshape(-1).");
            }
            return ReadValues(stream, header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(path, e);
        }
    }

    private static long[] ReadValues(Stream stream, NpyHeader header)
    {
        // The header's length was checked against the file, so the values are all there; labels are one number per
        // sample, small enough to hold.
        var bytes = new byte[header.DataByteLength];
        stream.ReadExactly(bytes);
        var values = new long[header.Shape[0]];
        var isInt64 = header.ElementType == DataTypes.Int64;
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = isInt64
                ? BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8))
                : BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4));
        }
        return values;
    }
}
