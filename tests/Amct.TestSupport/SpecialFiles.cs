using System.Diagnostics;

namespace Amct.TestSupport;

/// <summary>Makes files that are not regular files (a FIFO), as a downloaded archive can carry them.</summary>
public static class SpecialFiles
{
    /// <summary>Creates a named pipe (FIFO) at <paramref name="path"/> with mkfifo. Linux and macOS only.</summary>
    public static void CreateFifo(string path)
    {
        var start = new ProcessStartInfo("mkfifo") { RedirectStandardError = true };
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} failed: {error}");
        }
    }
}
