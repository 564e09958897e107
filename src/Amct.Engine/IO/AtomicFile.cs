using System.Diagnostics;
using System.Globalization;

namespace Amct.Engine.IO;

/// <summary>
/// Writes a file so that readers see either the old file or the complete new one, never a half-written file: the
/// content goes to a temporary file in the same folder, which is renamed over the target once it is complete. On
/// failure the temporary file is removed and the target is left as it was. A target that is a folder, device, FIFO or
/// socket is an error and is never replaced (a rename would silently swap a device node for a regular file).
/// </summary>
public static class AtomicFile
{
    private const string TempSuffix = ".tmp";

    public static void Write(string path, Action<Stream> writeContent)
    {
        var fullPath = Path.GetFullPath(path);
        var tempPath = TempPathFor(fullPath);
        try
        {
            WriteTemp(fullPath, tempPath, writeContent);
            MoveIntoPlace(tempPath, fullPath);
        }
        catch
        {
            TryDelete(tempPath);
            throw;
        }
    }

    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) =>
        Write(path, stream => stream.Write(bytes.Span));

    /// <summary>
    /// A hidden name beside <paramref name="fullPath"/> that no reader looks for. It carries the process id so a later
    /// run can tell the leftovers of a killed process (<see cref="RemoveLeftovers"/>) from a live writer's files.
    /// </summary>
    internal static string TempPathFor(string fullPath) =>
        Path.Combine(Path.GetDirectoryName(fullPath)!,
            $".{Path.GetFileName(fullPath)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}{TempSuffix}");

    /// <summary>Writes the content to <paramref name="tempPath"/> after checking that the target may be replaced.</summary>
    internal static long WriteTemp(string fullPath, string tempPath, Action<Stream> writeContent)
    {
        CheckReplaceable(fullPath);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            using var stream = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
            writeContent(stream);
            stream.Flush(flushToDisk: true);
            return stream.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(fullPath, e);
        }
    }

    /// <summary>Renames a complete temporary file over the target (checked again: it may have changed meanwhile).</summary>
    internal static void MoveIntoPlace(string tempPath, string fullPath)
    {
        CheckReplaceable(fullPath);
        try
        {
            File.Move(tempPath, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw WriteFailed(fullPath, e);
        }
    }

    internal static void CheckReplaceable(string fullPath)
    {
        var kind = EntryKinds.Of(fullPath);
        if (!EntryKinds.IsReplaceable(kind))
        {
            throw EntryKinds.NotReplaceable(fullPath, kind);
        }
    }

    /// <summary>
    /// Removes the temporary files that processes no longer running left in <paramref name="folder"/> (a kill -9 in
    /// the middle of a write runs no cleanup). Files of live processes are left alone.
    /// </summary>
    internal static void RemoveLeftovers(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }
        foreach (var path in Directory.EnumerateFiles(folder, "." + "*" + TempSuffix))
        {
            var name = Path.GetFileName(path.AsSpan());
            var dash = name.LastIndexOf('-');
            var dot = name[..Math.Max(0, dash)].LastIndexOf('.');
            if (dash > 0 && dot >= 0 && int.TryParse(name[(dot + 1)..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && !IsRunning(pid))
            {
                TryDelete(path);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        if (pid == Environment.ProcessId)
        {
            return true;
        }
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temporary file has a name no reader looks for, and the next run removes it.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static AmctException WriteFailed(string fullPath, Exception e) =>
        new(ErrorCodes.WriteFailed, fullPath,
            $"cannot write the file: {e.Message} Check that the folder exists, is writable and has free space.", e);
}
