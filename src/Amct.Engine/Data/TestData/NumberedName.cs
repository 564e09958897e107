using System.Globalization;

namespace Amct.Engine.Data.TestData;

/// <summary>
/// Names of the form prefix + number + suffix (<c>test_data_set_12</c>, <c>input_0.pb</c>), ordered by the number
/// so test_data_set_2 comes before test_data_set_10, as ONNX's test runners order them.
/// </summary>
internal static class NumberedName
{
    /// <summary>The number in <paramref name="name"/>, or null when the name does not have the form.</summary>
    public static int? Parse(string name, string prefix, string suffix)
    {
        if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(suffix, StringComparison.Ordinal)
            || name.Length <= prefix.Length + suffix.Length)
        {
            return null;
        }
        var digits = name.AsSpan(prefix.Length, name.Length - prefix.Length - suffix.Length);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }
        }
        return int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
    }

    /// <summary>The paths whose file name has the form, by number (then by name, for "01" and "1").</summary>
    public static IReadOnlyList<(string Path, int Number)> Select(IEnumerable<string> paths, string prefix, string suffix) =>
        paths
            .Select(path => (Path: path, Number: Parse(System.IO.Path.GetFileName(path), prefix, suffix)))
            .Where(entry => entry.Number is not null)
            .Select(entry => (entry.Path, Number: entry.Number!.Value))
            .OrderBy(entry => entry.Number)
            .ThenBy(entry => entry.Path, StringComparer.Ordinal)
            .ToList();
}
