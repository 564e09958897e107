using System.IO.Compression;
using Amct.Engine.IO;

namespace Amct.Engine.Data.Npy;

/// <summary>
/// One array of an .npz file (a zip of .npy entries, stored or deflated, as numpy.savez and savez_compressed write
/// it). A deflated entry cannot seek, so rows are read forward from the entry's start; samples are consumed in
/// order, so that is all a reader needs. Each reader opens the archive on its own, so the arrays of one .npz can be
/// read side by side.
/// </summary>
internal sealed class NpzEntryArray : RowArray
{
    private readonly int _entryIndex;
    private readonly long _dataOffset;

    private NpzEntryArray(string path, string key, string label, NpyHeader header, int entryIndex)
        : base(path, key, label, header.ElementType, header.Shape)
    {
        _entryIndex = entryIndex;
        _dataOffset = header.DataOffset;
    }

    /// <summary>Reads the header of every array in the .npz at <paramref name="path"/>, in the archive's order.</summary>
    public static IReadOnlyList<NpzEntryArray> OpenAll(string path)
    {
        var fileLabel = $"'{System.IO.Path.GetFileName(path)}'";
        return WithArchive(path, fileLabel, archive =>
        {
            var arrays = new List<NpzEntryArray>();
            for (var i = 0; i < archive.Entries.Count; i++)
            {
                var entry = archive.Entries[i];
                if (entry.FullName.EndsWith('/'))
                {
                    continue; // a folder entry holds no data
                }
                // numpy names each entry "<key>.npy".
                var key = entry.FullName.EndsWith(".npy", StringComparison.Ordinal) ? entry.FullName[..^4] : entry.FullName;
                var label = $"entry '{key}' of {fileLabel}";
                CheckDeclaredSize(path, label, entry);
                using var stream = entry.Open();
                arrays.Add(new NpzEntryArray(path, key, label, NpyHeader.Read(stream, entry.Length, path, label), i));
            }
            return arrays;
        });
    }

    /// <summary>
    /// The entry's declared size bounds everything read from it (the .npy header is checked against it, and rows stop
    /// there), so the declaration itself must be possible: deflate expands at most about 1032:1, and a stored entry
    /// not at all. A zip claiming more is crafted or damaged, and would make a small file stand for any amount of data.
    /// </summary>
    private static void CheckDeclaredSize(string path, string label, ZipArchiveEntry entry)
    {
        const long MaxDeflateRatio = 1032;
        const long Slack = 1024;
        if (entry.Length > (entry.CompressedLength * MaxDeflateRatio) + Slack)
        {
            throw DataErrors.Corrupt(path, label,
                $"it declares {entry.Length} bytes from {entry.CompressedLength} compressed bytes, more than zip " +
                "compression can produce");
        }
    }

    public override IRowReader OpenRows()
    {
        FileStream? file = null;
        ZipArchive? archive = null;
        try
        {
            file = UserFile.OpenRead(Path);
            archive = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false);
            var entry = archive.Entries[_entryIndex];
            var stream = entry.Open();
            SkipHeader(stream);
            return new Reader(this, archive, stream);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or EndOfStreamException)
        {
            Dispose(archive, file);
            throw DataErrors.Corrupt(Path, Label, e.Message.TrimEnd('.'), e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Dispose(archive, file);
            throw DataErrors.Unreadable(Path, e);
        }
    }

    /// <summary>Runs <paramref name="read"/> on the opened archive, turning zip and I/O failures into data errors.</summary>
    private static T WithArchive<T>(string path, string label, Func<ZipArchive, T> read)
    {
        try
        {
            using var archive = new ZipArchive(UserFile.OpenRead(path), ZipArchiveMode.Read, leaveOpen: false);
            return read(archive);
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or EndOfStreamException)
        {
            throw DataErrors.Corrupt(path, label, $"it is not a readable zip archive ({e.Message.TrimEnd('.')})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(path, e);
        }
    }

    private void SkipHeader(Stream stream)
    {
        // The header was parsed when the archive was opened; skipping its bytes lands on the first row.
        var header = new byte[_dataOffset];
        stream.ReadExactly(header);
    }

    private static void Dispose(ZipArchive? archive, FileStream? file)
    {
        archive?.Dispose();
        file?.Dispose();
    }

    private sealed class Reader(NpzEntryArray array, ZipArchive archive, Stream entry) : IRowReader
    {
        private readonly int _rowLength = checked((int)array.RowByteLength);

        public byte[] ReadRow()
        {
            var row = new byte[_rowLength];
            try
            {
                entry.ReadExactly(row);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
            {
                throw DataErrors.Corrupt(array.Path, array.Label, $"its data cannot be decompressed ({e.Message.TrimEnd('.')})", e);
            }
            catch (IOException e)
            {
                throw DataErrors.Unreadable(array.Path, e);
            }
            return row;
        }

        public void Dispose()
        {
            entry.Dispose();
            archive.Dispose();
        }
    }
}
