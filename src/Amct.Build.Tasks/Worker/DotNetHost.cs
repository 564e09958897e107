using System;
using System.IO;

namespace Amct.Build.Tasks.Worker;

/// <summary>
/// Finds the .NET host (dotnet) that runs the worker, the way the SDK's own tool tasks (ILLink) do: an explicit
/// AmctDotNetHostPath, else DOTNET_HOST_PATH (the dotnet CLI sets it for the MSBuild it runs, so the worker runs on
/// the same installation as the build), else dotnet next to $(NetCoreRoot), else dotnet on the PATH. The last case
/// is what Visual Studio's .NET Framework MSBuild gets when no .NET SDK variable is set.
/// </summary>
internal static class DotNetHost
{
    public static string ExecutableName(bool windows) => windows ? "dotnet.exe" : "dotnet";

    /// <returns>A full path, or the bare executable name when it has to come from the PATH.</returns>
    public static string Resolve(string? explicitPath, string? dotnetHostPathVariable, string? netCoreRoot, bool windows)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return explicitPath!.Trim();
        }
        if (!string.IsNullOrWhiteSpace(dotnetHostPathVariable))
        {
            return dotnetHostPathVariable!.Trim();
        }
        if (!string.IsNullOrWhiteSpace(netCoreRoot))
        {
            var candidate = Path.Combine(netCoreRoot!.Trim(), ExecutableName(windows));
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return ExecutableName(windows);
    }

    /// <summary>Whether the resolved host is a path (to check for existence) rather than a name looked up on PATH.</summary>
    public static bool IsPath(string host) =>
        host.IndexOfAny([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar]) >= 0;

    public static bool OnWindows => Environment.OSVersion.Platform == PlatformID.Win32NT;
}
