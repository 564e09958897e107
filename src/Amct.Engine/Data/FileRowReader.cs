using Amct.Engine.IO;
using Microsoft.Win32.SafeHandles;

namespace Amct.Engine.Data;

/// <summary>
/// Reads fixed-length rows of a file one after another, from <c>offset</c> on, straight from the file at their
/// offsets (<see cref="RandomAccess"/>), so memory holds one row at a time however large the file is.
/// </summary>
internal sealed class FileRowReader : IRowReader
{
    private readonly RowArray _array;
    private readonly SafeFileHandle _file;
    private readonly int _rowLength;
    private long _offset;

    private FileRowReader(RowArray array, SafeFileHandle file, long offset)
    {
        _array = array;
        _file = file;
        _rowLength = checked((int)array.RowByteLength);
        _offset = offset;
    }

    /// <summary>Opens the array's file; rows start at <paramref name="offset"/>. The caller disposes the reader.</summary>
    public static FileRowReader Open(RowArray array, long offset)
    {
        try
        {
            return new FileRowReader(array, UserFile.OpenHandle(array.Path), offset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(array.Path, e);
        }
    }

    public byte[] ReadRow()
    {
        var row = new byte[_rowLength];
        var filled = 0;
        try
        {
            while (filled < row.Length)
            {
                var read = RandomAccess.Read(_file, row.AsSpan(filled), _offset + filled);
                if (read == 0)
                {
                    // The length was checked when the file was opened: it shrank since.
                    throw DataErrors.Corrupt(_array.Path, _array.Label, "the file ended before its last sample");
                }
                filled += read;
            }
        }
        catch (IOException e)
        {
            throw DataErrors.Unreadable(_array.Path, e);
        }
        _offset += row.Length;
        return row;
    }

    public void Dispose() => _file.Dispose();
}
