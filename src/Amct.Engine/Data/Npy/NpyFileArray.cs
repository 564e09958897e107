using Amct.Engine.IO;

namespace Amct.Engine.Data.Npy;

/// <summary>
/// An .npy file's array. Opening reads only the header; rows are read one at a time by a <see cref="FileRowReader"/>,
/// so memory holds one row at a time however large the file is.
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
            using var stream = UserFile.OpenRead(path);
            var header = NpyHeader.Read(stream, stream.Length, path, $"'{System.IO.Path.GetFileName(path)}'");
            return new NpyFileArray(path, header);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(path, e);
        }
    }

    public override IRowReader OpenRows() => FileRowReader.Open(this, _dataOffset);
}
