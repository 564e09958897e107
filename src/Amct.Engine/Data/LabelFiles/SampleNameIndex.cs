namespace Amct.Engine.Data.LabelFiles;

/// <summary>
/// Finds the sample a labels row names. Sample names are paths relative to the data folder ("n01440764/x.JPEG", or
/// "x.JPEG" for a flat folder); a row may give the same path, only the file name (when no other image has it), or a
/// path with more folders in front ("images/x.JPEG" for a CSV kept beside the images folder).
/// </summary>
internal sealed class SampleNameIndex
{
    private readonly Dictionary<string, int> _exact = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<int>> _bySuffix = new(StringComparer.Ordinal);

    public SampleNameIndex(IReadOnlyList<string> names)
    {
        Names = names;
        for (var i = 0; i < names.Count; i++)
        {
            var name = Normalize(names[i]);
            _exact.TryAdd(name, i);
            // Every tail of whole segments: "a/b/c.jpg" is found as "b/c.jpg" and "c.jpg" too.
            for (var slash = name.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = name.IndexOf('/', slash + 1))
            {
                var suffix = name[(slash + 1)..];
                if (!_bySuffix.TryGetValue(suffix, out var list))
                {
                    _bySuffix[suffix] = list = [];
                }
                list.Add(i);
            }
        }
    }

    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// The index of the sample <paramref name="key"/> names, or null when none does. <paramref name="candidates"/>
    /// holds the samples when more than one fits (the row is ambiguous; the result is then null too).
    /// </summary>
    public int? Find(string key, out IReadOnlyList<int> candidates)
    {
        candidates = [];
        var name = Normalize(key);
        if (_exact.TryGetValue(name, out var index))
        {
            return index;
        }
        if (_bySuffix.TryGetValue(name, out var list))
        {
            candidates = list;
            return list.Count == 1 ? list[0] : null;
        }
        // The row holds more leading folders than the samples' names: drop them one at a time.
        for (var slash = name.IndexOf('/', StringComparison.Ordinal); slash >= 0; slash = name.IndexOf('/', slash + 1))
        {
            if (_exact.TryGetValue(name[(slash + 1)..], out index))
            {
                return index;
            }
        }
        return null;
    }

    /// <summary>'/' separators, no "./" in front, no surrounding spaces.</summary>
    public static string Normalize(string name)
    {
        var normalized = name.Trim().Replace('\\', '/');
        while (normalized.StartsWith("./", StringComparison.Ordinal))
        {
            normalized = normalized[2..];
        }
        return normalized;
    }
}
