using System.Globalization;

namespace Amct.Engine.Data.LabelFiles;

/// <summary>
/// Labels as CSV rows <c>filename,class_index[,more columns...]</c>, matched to the images by file name. The first
/// row is a header when its class index is not a number; columns after the second are ignored (ImageNet-style
/// files carry the wnid and class name there). Every image needs exactly one row and every row an image.
/// </summary>
internal sealed class CsvLabelFormat : ILabelFormat
{
    public string Description => ".csv of filename,class_index rows (header optional), matched to images by file name";

    public bool CanRead(string path) => path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    public bool MatchesByName => true;

    public long[] Read(string path, IReadOnlyList<string>? sampleNames)
    {
        ArgumentNullException.ThrowIfNull(sampleNames);
        var rows = CsvTable.Read(path);
        var index = new SampleNameIndex(sampleNames);
        var labels = new long?[sampleNames.Count];
        var rowOfSample = new int[sampleNames.Count];
        var unmatched = new List<string>();
        var firstData = rows.Count > 0 && IsHeader(rows[0]) ? 1 : 0;
        foreach (var row in rows.Skip(firstData))
        {
            var (file, label) = Parse(path, row);
            var sample = index.Find(file, out var candidates);
            if (sample is null)
            {
                if (candidates.Count > 1)
                {
                    throw new AmctException(ErrorCodes.LabelsAmbiguous, path,
                        $"line {row.Line} names '{file}', and several images have that name: " +
                        $"{LabelErrors.List(candidates.Select(c => $"'{sampleNames[c]}'").ToList())}. Give the image's path " +
                        "relative to the data folder.");
                }
                unmatched.Add($"'{file}' (line {row.Line})");
                continue;
            }
            if (labels[sample.Value] is not null)
            {
                throw new AmctException(ErrorCodes.LabelsDuplicate, path,
                    $"lines {rowOfSample[sample.Value]} and {row.Line} both label '{sampleNames[sample.Value]}'. Give " +
                    "each image one row.");
            }
            labels[sample.Value] = label;
            rowOfSample[sample.Value] = row.Line;
        }
        if (unmatched.Count > 0)
        {
            throw LabelErrors.WithoutSamples(path, unmatched);
        }
        var unlabeled = Enumerable.Range(0, labels.Length).Where(i => labels[i] is null).Select(i => $"'{sampleNames[i]}'").ToList();
        if (unlabeled.Count > 0)
        {
            throw LabelErrors.MissingForSamples(path, unlabeled,
                "Add a row filename,class_index for each, or remove those images from the data.");
        }
        return labels.Select(label => label!.Value).ToArray();
    }

    /// <summary>A header row names its columns: its second field is not a number.</summary>
    private static bool IsHeader(CsvRow row) =>
        row.Fields.Count >= 2 && !double.TryParse(row.Fields[1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static (string File, long Label) Parse(string path, CsvRow row)
    {
        if (row.Fields.Count < 2 || row.Fields[0].Trim().Length == 0)
        {
            throw new AmctException(ErrorCodes.LabelsInvalid, path,
                $"line {row.Line} is not filename,class_index. Give each image a row with its file name and the index " +
                "of its class (e.g. cat_001.jpg,281).");
        }
        var text = row.Fields[1].Trim();
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var label))
        {
            throw new AmctException(ErrorCodes.LabelsNotInteger, path,
                $"line {row.Line} gives the class '{text}' for '{row.Fields[0].Trim()}', which is not a whole number. " +
                "The second column holds the index of the class in the model's output (0, 1, 2, ...); class names " +
                "belong in later columns.");
        }
        return (row.Fields[0].Trim(), label);
    }
}
