using Microsoft.Win32.SafeHandles;

namespace Amct.Engine.Data.Npy;

/// <summary>
/// An .npy file's array. Opening reads only the header; rows are read straight from the file at their offsets
/// (<see cref="RandomAccess"/>), so memory holds one row at a time however large the file is.
/// </summary>
internal sealed class NpyFileArray : RowArray
{
    private readonly long _dataOffset;

    private NpyFileArray(string path, NpyHeader header)
        : base(path, System.IO.Path.GetFileNameWithoutExtension(path), $"'{System.IO.Path.GetFileName(path)}'",
            header.ElementType, header.Shape) =>
        _dataOffset = header.DataOffset;

    /// <summary>Reads and checks the header of the .npy file at <paramref name="path"/> (a full path).</summary>
    public static NpyFileArray Open(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
            var header = NpyHeader.Read(stream, stream.Length, path, $"'{System.IO.Path.GetFileName(path)}'");
            return new NpyFileArray(path, header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(path, e);
        }
    }

    public override IRowReader OpenRows()
    {
        try
        {
            return new Reader(this, File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.Read));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(Path, e);
        }
    }

    private sealed class Reader(NpyFileArray array, SafeFileHandle file) : IRowReader
    {
        private readonly int _rowLength = checked((int)array.RowByteLength);
        private long _offset = array._dataOffset;

        public byte[] ReadRow()
        {
            var row = new byte[_rowLength];
            var filled = 0;
            try
            {
                while (filled < row.Length)
                {
                    var read = RandomAccess.Read(file, row.AsSpan(filled), _offset + filled);
                    if (read == 0)
                    {
                        // The header was checked against the length when the file was opened: it shrank since.
                        throw DataErrors.Corrupt(array.Path, array.Label, "the file ended before its last sample");
                    }
                    filled += read;
                }
            }
            catch (IOException e)
            {
                throw DataErrors.Unreadable(array.Path, e);
            }
            _offset += row.Length;
            return row;
        }

        public void Dispose() => file.Dispose();
    }
}
