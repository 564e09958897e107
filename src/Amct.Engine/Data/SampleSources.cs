using Amct.Engine.Data.Npy;
using Amct.Engine.Data.TestData;

namespace Amct.Engine.Data;

/// <summary>Opens calibration or evaluation data, whatever its format, as a stream of samples for a model.</summary>
public static class SampleSources
{
    /// <summary>
    /// The formats, asked in this order. ONNX test-data folders come before plain folders of arrays, so a model's
    /// test folder is read as test data even if it also holds an .npy file.
    /// </summary>
    public static IReadOnlyList<ISampleFormat> Formats { get; } =
    [
        new TestDataFolderFormat(),
        new NpyFileFormat(),
        new NpzFileFormat(),
        new ArrayFolderFormat(),
    ];

    /// <summary>
    /// Opens the data file or folder at <paramref name="path"/> for a model with <paramref name="inputs"/>.
    /// Everything that can be checked without reading the samples (names, shapes, element types, counts) is checked
    /// here; NaN and infinity are found as the samples are read.
    /// </summary>
    public static ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inputs);
        var fullPath = Path.GetFullPath(path);
        var isFolder = Directory.Exists(fullPath);
        if (!isFolder && !File.Exists(fullPath))
        {
            throw DataErrors.NotFound(fullPath, "data file or folder");
        }
        if (inputs.Count == 0)
        {
            throw new ArgumentException("the model has no inputs to feed", nameof(inputs));
        }
        InputBinder.CheckBatchable(inputs, fullPath);
        var format = FindFormat(fullPath, isFolder);
        try
        {
            return format.Open(fullPath, inputs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Formats turn failures of the files they read into coded errors; this catches listing a folder.
            throw DataErrors.Unreadable(fullPath, e);
        }
    }

    private static ISampleFormat FindFormat(string fullPath, bool isFolder)
    {
        try
        {
            var format = Formats.FirstOrDefault(f => f.CanRead(fullPath));
            if (format is not null)
            {
                return format;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw DataErrors.Unreadable(fullPath, e);
        }
        var kinds = string.Join("; ", Formats.Select(f => f.Description));
        throw isFolder
            ? new AmctException(ErrorCodes.DataFolderEmpty, fullPath,
                $"the folder holds no data files. Put the samples in it as one of: {kinds}.")
            : new AmctException(ErrorCodes.DataFormatUnknown, fullPath,
                $"no data format reads this file. Give the samples as one of: {kinds}.");
    }
}
