using System.Text;
using System.Text.RegularExpressions;

namespace Amct.Engine.Data;

/// <summary>
/// File name patterns for data paths: <c>*</c> matches any characters within a folder or file name, <c>?</c> one
/// character, and a <c>**</c> segment any number of folders (<c>photos/**/*.jpg</c>). Matching ignores case on every
/// system, so <c>*.jpg</c> finds <c>.JPG</c> files and a project selects the same files on Windows and Linux.
/// </summary>
internal static class FileGlob
{
    /// <summary>Whether <paramref name="path"/> holds a wildcard.</summary>
    public static bool IsPattern(string path) => path.AsSpan().IndexOfAny('*', '?') >= 0;

    /// <summary>
    /// The folder the pattern starts from (the part before the first segment with a wildcard) and the files it
    /// matches, as full paths in ordinal order of their paths relative to that folder.
    /// </summary>
    /// <param name="pattern">A full path with wildcards.</param>
    public static (string Folder, IReadOnlyList<string> Files) Expand(string pattern)
    {
        var firstWildcard = pattern.AsSpan().IndexOfAny('*', '?');
        var separator = pattern.AsSpan(0, firstWildcard).LastIndexOfAny('/', '\\');
        var folder = separator <= 0 ? Path.GetPathRoot(pattern)! : pattern[..separator];
        if (separator > 0 && folder.EndsWith(':'))
        {
            folder += Path.DirectorySeparatorChar; // "C:" alone means the current folder of drive C
        }
        var segments = pattern[(separator + 1)..].Split('/', '\\', StringSplitOptions.RemoveEmptyEntries);
        if (!Directory.Exists(folder))
        {
            return (folder, []);
        }
        var matchers = segments.Select(s => s == "**" ? null : SegmentRegex(s)).ToArray();
        var found = new HashSet<string>(StringComparer.Ordinal);
        Walk(folder, matchers, 0, found);
        var files = found
            .OrderBy(file => RelativeName(folder, file), StringComparer.Ordinal)
            .ToList();
        return (folder, files);
    }

    /// <summary>The path of <paramref name="file"/> relative to <paramref name="folder"/>, with '/' separators.</summary>
    public static string RelativeName(string folder, string file) =>
        Path.GetRelativePath(folder, file).Replace('\\', '/');

    private static void Walk(string folder, Regex?[] matchers, int index, HashSet<string> found)
    {
        var matcher = matchers[index];
        var isLast = index == matchers.Length - 1;
        if (matcher is null)
        {
            // "**": zero folders (go on with the next segment here), or one more folder (stay on "**" below it).
            if (isLast)
            {
                found.UnionWith(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories));
                return;
            }
            Walk(folder, matchers, index + 1, found);
            foreach (var sub in Directory.EnumerateDirectories(folder))
            {
                Walk(sub, matchers, index, found);
            }
            return;
        }
        if (isLast)
        {
            found.UnionWith(Directory.EnumerateFiles(folder).Where(f => matcher.IsMatch(Path.GetFileName(f))));
            return;
        }
        foreach (var sub in Directory.EnumerateDirectories(folder).Where(d => matcher.IsMatch(Path.GetFileName(d))))
        {
            Walk(sub, matchers, index + 1, found);
        }
    }

    private static Regex SegmentRegex(string segment)
    {
        var pattern = new StringBuilder("^");
        foreach (var c in segment)
        {
            pattern.Append(c switch
            {
                '*' => ".*",
                '?' => ".",
                _ => Regex.Escape(c.ToString()),
            });
        }
        pattern.Append('$');
        return new Regex(pattern.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }
}
