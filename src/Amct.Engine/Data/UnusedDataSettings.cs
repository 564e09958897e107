using Amct.Engine.Data.Images;
using Amct.Engine.Data.Raw;

namespace Amct.Engine.Data;

/// <summary>
/// Data settings the data at hand ignores: image preprocessing for arrays or test-data folders, raw .bin declarations
/// for anything but raw files. Each format reads only the options it needs, so without this check a
/// <c>Resize</c> on .npy data would do nothing in silence.
/// </summary>
public static class UnusedDataSettings
{
    /// <summary>The warning for <paramref name="dataPath"/> (already opened, so its format is known), or null.</summary>
    public static string? Describe(string dataPath, SampleSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataPath);
        ArgumentNullException.ThrowIfNull(options);
        var formats = Formats(dataPath);
        var unused = new List<string>();
        if (!formats.Any(f => f is ImageFileFormat))
        {
            unused.AddRange(options.ImageSettingsGiven);
        }
        if (!formats.Any(f => f is RawFileFormat))
        {
            unused.AddRange(options.RawSettingsGiven);
        }
        if (unused.Count == 0)
        {
            return null;
        }
        var kind = string.Join(" and ", formats.Select(f => f.Description).Distinct());
        return $"{string.Join(", ", unused)} {(unused.Count == 1 ? "has" : "have")} no effect on this data (read as {kind}). " +
            "Remove the setting, or give the data it is meant for.";
    }

    /// <summary>The format that reads each path of the data (one path, or one per input).</summary>
    private static List<ISampleFormat> Formats(string dataPath)
    {
        var paths = InputPathList.TryParse(dataPath)?.Values ?? (IEnumerable<string>)[dataPath];
        return paths.Select(Path.GetFullPath)
            .Select(p => SampleSources.Formats.FirstOrDefault(f => f.CanRead(p)))
            .OfType<ISampleFormat>().ToList();
    }
}
