namespace Amct.Engine.Data.LabelFiles;

/// <summary>Errors of labels matched by name, worded once; the target is the labels file.</summary>
internal static class LabelErrors
{
    /// <summary>How many of a list a message shows before "and N more".</summary>
    private const int Shown = 5;

    public static AmctException MissingForSamples(string path, IReadOnlyList<string> samples, string hint) =>
        new(ErrorCodes.LabelsMissingForSample, path,
            $"{Plural(samples.Count, "image has", "images have")} no label: {List(samples)}. {hint}");

    public static AmctException WithoutSamples(string path, IReadOnlyList<string> rows) =>
        new(ErrorCodes.LabelsWithoutSample, path,
            $"{Plural(rows.Count, "label names", "labels name")} no image of the data: {List(rows)}. Every row must " +
            "name an image of the data (its path relative to the data folder, or its file name); remove the rows of " +
            "images that are not there, or add the images.");

    public static string List(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(Shown)) + (items.Count > Shown ? $" and {items.Count - Shown} more" : "");

    private static string Plural(int count, string one, string many) =>
        count == 1 ? $"1 {one}" : $"{DataErrors.Count(count)} {many}";
}
