using System.Text;
using Amct.Engine.IO;

namespace Amct.Engine.Data.LabelFiles;

/// <summary>
/// Labels from class folders: images sorted into one sub-folder per class (<c>data/n01440764/x.JPEG</c>), and a
/// .txt class list whose line k (from 0) names class k's folder as its first word, the rest of the line being a
/// description (ImageNet's synset.txt: "n01440764 tench, Tinca tinca"). Classes without images are fine; an image
/// outside a listed folder is an error.
/// </summary>
internal sealed class ClassListLabelFormat : ILabelFormat
{
    public string Description => ".txt class list (line k names class k's folder) for images in class sub-folders";

    public bool CanRead(string path) => path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase);

    public bool MatchesByName => true;

    public long[] Read(string path, IReadOnlyList<string>? sampleNames)
    {
        ArgumentNullException.ThrowIfNull(sampleNames);
        var classes = ReadClasses(path);
        var labels = new long[sampleNames.Count];
        var unlabeled = new List<string>();
        for (var i = 0; i < sampleNames.Count; i++)
        {
            var segments = SampleNameIndex.Normalize(sampleNames[i]).Split('/');
            if (segments.Length >= 2 && classes.TryGetValue(segments[^2], out var label))
            {
                labels[i] = label;
            }
            else
            {
                unlabeled.Add(segments.Length >= 2 ? $"'{sampleNames[i]}' (folder '{segments[^2]}')" : $"'{sampleNames[i]}' (in no folder)");
            }
        }
        if (unlabeled.Count > 0)
        {
            throw LabelErrors.MissingForSamples(path, unlabeled,
                "Each image must be in a sub-folder of the data folder named after its class, and the class list " +
                "must name that folder as the first word of a line; move the images or add the classes.");
        }
        return labels;
    }

    private static Dictionary<string, long> ReadClasses(string path)
    {
        string[] lines;
        try
        {
            lines = UserFile.ReadAllLines(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(path, e);
        }
        var count = lines.Length;
        while (count > 0 && lines[count - 1].Trim().Length == 0)
        {
            count--; // trailing blank lines hold no class
        }
        var classes = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var words = lines[i].Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0)
            {
                throw new AmctException(ErrorCodes.LabelsInvalid, path,
                    $"line {i + 1} is empty, but each line is a class and its number is the class index. Remove the " +
                    "blank line (or name the class that belongs there).");
            }
            if (!classes.TryAdd(words[0], i))
            {
                throw new AmctException(ErrorCodes.LabelsDuplicate, path,
                    $"lines {classes[words[0]] + 1} and {i + 1} both name the class folder '{words[0]}'. Name each class once.");
            }
        }
        if (classes.Count == 0)
        {
            throw new AmctException(ErrorCodes.LabelsInvalid, path,
                "the class list is empty. Give one class folder name per line, in class index order.");
        }
        return classes;
    }
}
