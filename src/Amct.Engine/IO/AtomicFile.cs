namespace Amct.Engine.IO;

/// <summary>
/// Writes a file so that readers see either the old file or the complete new one, never a half-written file: the
/// content goes to a temporary file in the same folder, which is renamed over the target once it is complete. On
/// failure the temporary file is removed and the target is left as it was.
/// </summary>
public static class AtomicFile
{
    public static void Write(string path, Action<Stream> writeContent)
    {
        var fullPath = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(fullPath)!;
        var tempPath = Path.Combine(folder, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(folder);
            using (var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(tempPath);
            throw new AmctException(ErrorCodes.WriteFailed, fullPath,
                $"cannot write the file: {e.Message} Check that the folder exists, is writable and has free space.", e);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) =>
        Write(path, stream => stream.Write(bytes.Span));

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file has a name no reader looks for.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
