namespace Amct.Engine.IO;

/// <summary>
/// Resolves a path the way the operating system will follow it, symbolic links included, so a containment check
/// ("is this file inside that folder?") cannot be fooled by a link in any component of the path.
/// </summary>
public static class RealPath
{
    private const int MaxLinkHops = 40;

    public static string Resolve(string path) => Resolve(path, 0);

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or below it (both resolved).</summary>
    public static bool IsInside(string path, string folder)
    {
        var comparison = OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var prefix = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
        return path.StartsWith(prefix, comparison) || string.Equals(path, folder, comparison);
    }

    private static string Resolve(string path, int hops)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        var segments = full[root.Length..].Split(
            [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        foreach (var segment in segments)
        {
            var next = Path.Combine(current, segment);
            var info = new FileInfo(next);
            // A link whose target cannot be reached (dangling, or a loop) exists as a link but not as a file.
            if (info.Exists || Directory.Exists(next) || info.LinkTarget is not null)
            {
                if (info.LinkTarget is { } target)
                {
                    if (hops >= MaxLinkHops)
                    {
                        throw new IOException($"too many levels of symbolic links at '{next}'");
                    }
                    next = Resolve(Path.IsPathRooted(target) ? target : Path.Combine(current, target), hops + 1);
                }
            }
            current = next;
        }
        return current;
    }
}
