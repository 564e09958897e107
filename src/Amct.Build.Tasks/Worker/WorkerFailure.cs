using System.Linq;
using Amct.Engine;

namespace Amct.Build.Tasks.Worker;

/// <summary>
/// Explains a worker that failed without printing a coded error: the host found no .NET runtime to run it on
/// (exit code 150 on Unix, 0x80008096 on Windows, and the host's "install or update .NET" text), or it crashed or
/// was killed. The message carries the exit code and the last lines the process printed.
/// </summary>
internal static class WorkerFailure
{
    // The .NET host's FrameworkMissingFailure (0x80008096); Unix keeps its low byte.
    private const int FrameworkMissingWindows = unchecked((int)0x80008096);
    private const int FrameworkMissingUnix = 0x96;

    public static Diagnostic Describe(int exitCode, string host, string worker, WorkerOutput output, string projectFile)
    {
        var lastLines = output.LastLines.Count == 0
            ? " It printed nothing."
            : " Its last lines:\n" + output.LastLinesText;
        var runtimeMissing = exitCode is FrameworkMissingWindows or FrameworkMissingUnix ||
            output.LastLines.Any(l => l.Contains("You must install or update .NET") || l.Contains("framework 'Microsoft.NETCore.App'"));
        return runtimeMissing
            ? new Diagnostic(ErrorCodes.DotNetRuntimeMissing, projectFile,
                $"the amct worker needs a .NET 8 or later runtime, and the .NET host {host} found none (exit code {exitCode}). " +
                "Install the .NET 8 (or later) runtime, or point AmctDotNetHostPath (or DOTNET_HOST_PATH) at a dotnet that has " +
                "one." + lastLines)
            : new Diagnostic(ErrorCodes.WorkerFailed, projectFile,
                $"the amct worker ({host} {worker}) failed with exit code {exitCode} without reporting an error; it crashed " +
                "or was killed (out of memory?). Build again with -v:n to see all it printed, or run the same job with " +
                "'dotnet amct.dll job'." + lastLines);
    }
}
