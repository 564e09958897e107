using System.Diagnostics;
using System.IO;

namespace Amct.Build.Tasks.Worker;

/// <summary>
/// The worker's version for the settings hash: its informational version (the package version, with the source
/// revision when built from git), read from the file without loading it, so it works on .NET and .NET Framework.
/// </summary>
internal static class WorkerVersion
{
    public static string Read(string workerPath)
    {
        if (!File.Exists(workerPath))
        {
            return "missing";
        }
        var info = FileVersionInfo.GetVersionInfo(workerPath);
        return info.ProductVersion is { Length: > 0 } product ? product : info.FileVersion ?? "unknown";
    }
}
