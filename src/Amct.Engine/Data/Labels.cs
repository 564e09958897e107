using Amct.Engine.Data.LabelFiles;
using Amct.Engine.Data.Npy;

namespace Amct.Engine.Data;

/// <summary>
/// Class-index labels for evaluation samples, aligned with the samples: label k belongs to sample k. Positional
/// files (.npy) hold the labels in sample order; CSV files and class lists name the sample (image) each label belongs
/// to and are matched by <see cref="Sample.Name"/>.
/// </summary>
public static class Labels
{
    /// <summary>The label formats, asked in this order.</summary>
    public static IReadOnlyList<ILabelFormat> Formats { get; } =
    [
        new NpyLabelFormat(),
        new CsvLabelFormat(),
        new ClassListLabelFormat(),
    ];

    /// <summary>
    /// The labels of <paramref name="expectedCount"/> samples, read from a positional file at <paramref name="path"/>.
    /// The file must hold exactly one label per sample: with more or fewer, which label belongs to which sample is a
    /// guess (labels of other data scored against these samples once passed for a 7.5 % accuracy); labels must not be
    /// negative. Files that match labels by name need the samples' names: use
    /// <see cref="Read(string, ISampleSource)"/>.
    /// </summary>
    public static long[] Read(string path, long expectedCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(expectedCount);
        var (fullPath, format) = Find(path);
        if (format.MatchesByName)
        {
            throw new AmctException(ErrorCodes.LabelsNeedNames, fullPath,
                $"this labels file ({format.Description}) names the samples it labels, but only a sample count was " +
                "given to match it with. Open the labels with the sample source, so they are matched by file name.");
        }
        return Positional(fullPath, format, expectedCount, "the data");
    }

    /// <summary>The labels of the samples of <paramref name="source"/>, in the source's order, whatever the file's format.</summary>
    /// <param name="use">What the samples are for, named in the errors (EvaluationLabels by default).</param>
    public static long[] Read(string path, ISampleSource source, LabeledSamples use = LabeledSamples.Evaluation)
    {
        ArgumentNullException.ThrowIfNull(source);
        var (fullPath, format) = Find(path);
        return format.MatchesByName
            ? Named(fullPath, format, source.ReadNames().ToList(), source.Description)
            : Positional(fullPath, format, source.Count, source.Description, use);
    }

    /// <summary>
    /// The labels of samples named <paramref name="sampleNames"/> (<see cref="Sample.Name"/>, in sample order). A
    /// positional file gives the first labels, one per name.
    /// </summary>
    public static long[] Read(string path, IReadOnlyList<string?> sampleNames)
    {
        ArgumentNullException.ThrowIfNull(sampleNames);
        var (fullPath, format) = Find(path);
        return format.MatchesByName
            ? Named(fullPath, format, sampleNames, "the data")
            : Positional(fullPath, format, sampleNames.Count, "the data");
    }

    private static (string FullPath, ILabelFormat Format) Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
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
        return (fullPath, format);
    }

    /// <param name="data">The data the labels are for (its path), named in the errors.</param>
    private static long[] Positional(string fullPath, ILabelFormat format, long expectedCount, string data,
        LabeledSamples use = LabeledSamples.Evaluation)
    {
        var labels = format.Read(fullPath, null);
        if (labels.LongLength != expectedCount)
        {
            var (purpose, samples, setting) = use == LabeledSamples.Training
                ? ("train on", "training", "TrainingData")
                : ("evaluate", "evaluation", "EvaluationData");
            throw new AmctException(labels.LongLength < expectedCount ? ErrorCodes.LabelsTooFew : ErrorCodes.LabelsTooMany, fullPath,
                $"the file holds {DataErrors.Count(labels.LongLength)} labels but {data} holds " +
                $"{DataErrors.Count(expectedCount)} samples to {purpose}. Give exactly one label per {samples} sample, in " +
                $"the samples' order (without {setting}, the labels are for the calibration data).");
        }
        CheckClassIndices(fullPath, labels, index => $"sample {index}");
        return labels;
    }

    private static long[] Named(string fullPath, ILabelFormat format, IReadOnlyList<string?> sampleNames, string data)
    {
        var unnamed = sampleNames.ToList().FindIndex(name => name is null);
        if (unnamed >= 0)
        {
            throw new AmctException(ErrorCodes.LabelsNeedNames, fullPath,
                $"this labels file ({format.Description}) matches labels to samples by file name, but sample " +
                $"{unnamed} of {data} has no name (arrays hold unnamed samples). Use images for the data, or give the " +
                "labels as a 1-D .npy array in the samples' order.");
        }
        var names = sampleNames.Select(name => name!).ToList();
        var labels = format.Read(fullPath, names);
        CheckClassIndices(fullPath, labels, index => $"'{names[index]}'");
        return labels;
    }

    /// <summary>
    /// Labels index a model output's classes: from 0, and within what an output's class axis can hold (an int).
    /// Whether an index fits the model's actual class count is checked when the output is scored.
    /// </summary>
    private static void CheckClassIndices(string fullPath, long[] labels, Func<int, string> sample)
    {
        var negative = Array.FindIndex(labels, label => label < 0);
        if (negative >= 0)
        {
            throw new AmctException(ErrorCodes.LabelsNegative, fullPath,
                $"the label of {sample(negative)} is {labels[negative]}, and class indices start at 0. Store each " +
                "label as the index of its class in the model's output.");
        }
        var huge = Array.FindIndex(labels, label => label > int.MaxValue);
        if (huge >= 0)
        {
            throw new AmctException(ErrorCodes.LabelsInvalid, fullPath,
                $"the label of {sample(huge)} is {labels[huge]}, larger than any class index a model output can have. " +
                "Store each label as the index of its class in the model's output.");
        }
    }
}

/// <summary>What a labels file labels, for its errors: the evaluation samples (EvaluationLabels) or the training ones (TrainingLabels).</summary>
public enum LabeledSamples
{
    Evaluation,
    Training,
}
