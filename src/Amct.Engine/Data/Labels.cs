using Amct.Engine.Data.Npy;

namespace Amct.Engine.Data;

/// <summary>Class-index labels for evaluation samples: label k belongs to sample k.</summary>
public static class Labels
{
    /// <summary>The label formats, asked in this order.</summary>
    public static IReadOnlyList<ILabelFormat> Formats { get; } =
    [
        new NpyLabelFormat(),
    ];

    /// <summary>
    /// The labels of the first <paramref name="expectedCount"/> samples, read from <paramref name="path"/>. A file may
    /// hold more labels than that (the evaluation may use fewer samples than it has), never fewer; labels must not
    /// be negative.
    /// </summary>
    public static long[] Read(string path, long expectedCount)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(expectedCount);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw Directory.Exists(fullPath)
                ? new AmctException(ErrorCodes.DataNotFound, fullPath, "the labels path is a folder; give the path of the labels file.")
                : DataErrors.NotFound(fullPath, "labels file");
        }
        var format = Formats.FirstOrDefault(f => f.CanRead(fullPath))
            ?? throw new AmctException(ErrorCodes.DataFormatUnknown, fullPath,
                "no labels format reads this file. Give the labels as one of: " +
                string.Join("; ", Formats.Select(f => f.Description)) + ".");
        var labels = format.Read(fullPath);
        if (labels.LongLength < expectedCount)
        {
            throw new AmctException(ErrorCodes.LabelsTooFew, fullPath,
                $"the file holds {DataErrors.Count(labels.LongLength)} labels but there are " +
                $"{DataErrors.Count(expectedCount)} samples to evaluate. Give one label per sample, in the samples' order.");
        }
        var negative = Array.FindIndex(labels, label => label < 0);
        if (negative >= 0)
        {
            throw new AmctException(ErrorCodes.LabelsNegative, fullPath,
                $"the label of sample {negative} is {labels[negative]}, and class indices start at 0. Store each label as the " +
                "index of its class in the model's output.");
        }
        return labels.Length == expectedCount ? labels : labels[..(int)expectedCount];
    }
}
