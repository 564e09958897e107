namespace Amct.Engine.Data;

/// <summary>
/// Data given per model input in one text: <c>name=path;name=path</c> (the command line's and the project
/// settings' way to feed a model with several inputs from several sources). Parsed here and nowhere else.
/// </summary>
public static class InputPathList
{
    /// <summary>
    /// The input name to path pairs of <paramref name="text"/>, or null when the text is a single data path: one
    /// that exists, or one without '=' in every ';'-separated part. Paths are kept as written.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (File.Exists(text) || Directory.Exists(text))
        {
            return null; // a real path that happens to hold '='
        }
        var parts = text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || !parts.All(part => part.Contains('=', StringComparison.Ordinal)))
        {
            return null;
        }
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            // Input names rarely hold '=', paths may: split at the first.
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = part[..equals].Trim();
            var path = part[(equals + 1)..].Trim();
            if (name.Length == 0 || path.Length == 0)
            {
                throw new AmctException(ErrorCodes.DataListInvalid, text,
                    $"'{part}' is not input=path. Give the data of each model input as name=path, separated by ';' " +
                    "(image=photos/;mask=masks/).");
            }
            if (!paths.TryAdd(name, path))
            {
                throw new AmctException(ErrorCodes.DataListInvalid, text,
                    $"input '{name}' is given data twice ({paths[name]} and {path}). Give each input one data path.");
            }
        }
        return paths;
    }
}
