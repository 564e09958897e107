using System.Globalization;

namespace DigitsClassifier;

/// <summary>An 8×8 handwritten digit: pixel intensities 0..16, row by row, and its true class.</summary>
public sealed record TestDigit(int Label, int[] Pixels)
{
    public const int Size = 8;
}

/// <summary>Reads Data/test-digits.txt (its header explains the format) and draws digits as text.</summary>
public static class TestDigits
{
    private const string PixelChars = "0123456789abcdefg";
    private const string Shades = " .:-=+*#%@";

    public static IReadOnlyList<TestDigit> Read(string path)
    {
        var digits = new List<TestDigit>();
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        for (var i = 0; i + TestDigit.Size < lines.Count; i += TestDigit.Size + 1)
        {
            var label = int.Parse(lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            var pixels = lines.Skip(i + 1).Take(TestDigit.Size).SelectMany(row => row.Trim().Select(c => PixelChars.IndexOf(c, StringComparison.Ordinal))).ToArray();
            if (pixels.Length != TestDigit.Size * TestDigit.Size || pixels.Any(p => p < 0))
            {
                throw new FormatException($"{path}: the digit labelled {label} is not 8 rows of 8 pixel characters.");
            }
            digits.Add(new TestDigit(label, pixels));
        }
        return digits;
    }

    /// <summary>Digits side by side, one text line per pixel row, <see cref="Width"/> characters per digit.</summary>
    public static IEnumerable<string> Draw(IEnumerable<TestDigit> digits)
    {
        var list = digits.ToList();
        for (var row = 0; row < TestDigit.Size; row++)
        {
            yield return string.Concat(list.Select(d => string.Concat(
                Enumerable.Range(0, TestDigit.Size).Select(col => Shades[d.Pixels[(row * TestDigit.Size) + col] * (Shades.Length - 1) / 16]))
                .PadRight(Width)));
        }
    }

    /// <summary>Characters per drawn digit: 8 pixels and a gap.</summary>
    public const int Width = TestDigit.Size + 4;
}
