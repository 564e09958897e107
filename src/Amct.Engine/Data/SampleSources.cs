using Amct.Engine.Data.Images;
using Amct.Engine.Data.Npy;
using Amct.Engine.Data.Raw;
using Amct.Engine.Data.TestData;

namespace Amct.Engine.Data;

/// <summary>Opens calibration or evaluation data, whatever its format, as a stream of samples for a model.</summary>
public static class SampleSources
{
    /// <summary>
    /// The formats, asked in this order. ONNX test-data folders come before plain folders of arrays, so a model's
    /// test folder is read as test data even if it also holds an .npy file; arrays and raw files come before images,
    /// so a folder of .npy files with a preview picture in it is still read as arrays.
    /// </summary>
    public static IReadOnlyList<ISampleFormat> Formats { get; } =
    [
        new TestDataFolderFormat(),
        new NpyFileFormat(),
        new NpzFileFormat(),
        new ArrayFolderFormat(),
        new RawFileFormat(),
        new ImageFileFormat(),
    ];

    /// <summary>Opens the data with default options (no preprocessing preset, no raw shapes declared).</summary>
    public static ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs) =>
        Open(path, inputs, SampleSourceOptions.Default);

    /// <summary>
    /// Opens the data file or folder at <paramref name="path"/> for a model with <paramref name="inputs"/>.
    /// Everything that can be checked without reading the samples (names, shapes, element types, counts, image
    /// headers and sizes) is checked here; NaN, infinity and damaged image data are found as the samples are read.
    /// </summary>
    /// <param name="path">
    /// A file, a folder, a pattern (<c>photos/*.jpg</c>, <c>photos/**/*.png</c>), or one path per input as
    /// <c>name=path;name=path</c> (see <see cref="InputPathList"/>).
    /// </param>
    /// <param name="inputs">The model inputs to feed.</param>
    /// <param name="options">Image preprocessing and raw .bin declarations.</param>
    public static ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        if (InputPathList.TryParse(path) is { } pathByInput)
        {
            return Open(pathByInput, inputs, options);
        }
        CheckInputs(inputs, Path.GetFullPath(path), options);
        return WithFixedInputs(OpenOne(path, inputs, options), Path.GetFullPath(path), inputs, options);
    }

    /// <param name="source">The data's samples.</param>
    /// <param name="dataSet">The data's full path (or paths), which with the inputs and options names its carried states.</param>
    /// <param name="inputs">The inputs the data feeds.</param>
    /// <param name="options">The fixed inputs and carried state.</param>
    private static ISampleSource WithFixedInputs(ISampleSource source, string dataSet, IReadOnlyList<ModelInput> inputs,
        SampleSourceOptions options)
    {
        var withFixed = options.FixedInputs.Count == 0 ? source : new FixedInputSource(source, inputs, options.FixedInputs);
        return options.CarriedState is { } states
            ? new CarriedStateSource(withFixed, states, new DataSetKey(dataSet, inputs, options))
            : withFixed;
    }

    /// <summary>
    /// Opens one data path per model input (input name to path) and feeds sample k of every path together. Every
    /// input needs a path, every path an input, and all paths the same number of samples.
    /// </summary>
    public static ISampleSource Open(IReadOnlyDictionary<string, string> pathByInput, IReadOnlyList<ModelInput> inputs,
        SampleSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(pathByInput);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(options);
        if (pathByInput.Count == 0)
        {
            throw new ArgumentException("no data paths given", nameof(pathByInput));
        }
        var firstPath = Path.GetFullPath(pathByInput.First().Value);
        CheckInputs(inputs, firstPath, options);
        foreach (var name in pathByInput.Keys.Where(name => inputs.All(i => i.Name != name)))
        {
            throw DataErrors.UnknownInput(Path.GetFullPath(pathByInput[name]), "the data list", name, inputs);
        }
        foreach (var input in inputs.Where(i => !pathByInput.ContainsKey(i.Name)))
        {
            throw DataErrors.MissingInput(firstPath, input, inputs);
        }
        var sources = new List<ISampleSource>(inputs.Count);
        try
        {
            foreach (var input in inputs)
            {
                sources.Add(OpenOne(pathByInput[input.Name], [input], options));
            }
            if (sources.Select(s => s.Count).Distinct().Count() > 1)
            {
                throw new AmctException(ErrorCodes.DataSampleCountMismatch, firstPath,
                    "the inputs' data hold different numbers of samples: " +
                    string.Join(", ", inputs.Select((input, i) =>
                        $"'{input.Name}' {DataErrors.Count(sources[i].Count)} in {sources[i].Description}")) +
                    ". Sample k of every input is fed together, so every input needs the same number of samples.");
            }
            var dataSet = string.Join(";", inputs.Select(i => $"{i.Name}={Path.GetFullPath(pathByInput[i.Name])}"));
            return WithFixedInputs(sources.Count == 1 ? sources[0] : new MultiSampleSource(sources), dataSet, inputs, options);
        }
        catch
        {
            sources.ForEach(s => s.Dispose());
            throw;
        }
    }

    private static void CheckInputs(IReadOnlyList<ModelInput> inputs, string fullPath, SampleSourceOptions options)
    {
        if (inputs.Count == 0)
        {
            // A graph without inputs (none declared, or every one an initializer, which is a constant) computes the
            // same outputs every time: there is nothing data could vary, so asking for data is the user's mistake.
            throw new AmctException(ErrorCodes.ModelHasNoInputs, fullPath,
                "the model has no input to feed this data to: its graph declares no inputs, or every input is also an " +
                "initializer (a constant). Its outputs never change, so there is nothing to calibrate or evaluate on. " +
                "Re-export the model with its real inputs, or quantize it from a record file (--record) without data.");
        }
        InputBinder.CheckBatchable(inputs, fullPath);
        var declared = options.InputShapes.Keys.Concat(options.InputTypes.Keys);
        foreach (var name in declared.Where(name => inputs.All(i => i.Name != name)))
        {
            throw new AmctException(ErrorCodes.RawDeclarationInvalid, fullPath,
                $"a raw data shape or type is declared for '{name}', but the model has no input of that name. The " +
                $"model's inputs are {DataErrors.InputList(inputs)}; declare shapes and types by input name.");
        }
    }

    private static ISampleSource OpenOne(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options)
    {
        var fullPath = Path.GetFullPath(path);
        var isFolder = Directory.Exists(fullPath);
        var isPattern = !isFolder && !File.Exists(fullPath) && FileGlob.IsPattern(fullPath);
        if (!isFolder && !isPattern && !File.Exists(fullPath))
        {
            throw DataErrors.NotFound(fullPath, "data file or folder");
        }
        var format = FindFormat(fullPath, isFolder, isPattern);
        try
        {
            return format.Open(fullPath, inputs, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Formats turn failures of the files they read into coded errors; this catches listing a folder.
            throw DataErrors.Unreadable(fullPath, e);
        }
    }

    private static ISampleFormat FindFormat(string fullPath, bool isFolder, bool isPattern)
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
        if (isPattern)
        {
            throw new AmctException(ErrorCodes.DataNotFound, fullPath,
                $"the pattern matches no data file. Check the folder and the pattern; data can be: {kinds}.");
        }
        throw isFolder
            ? new AmctException(ErrorCodes.DataFolderEmpty, fullPath,
                $"the folder holds no data files. Put the samples in it as one of: {kinds}.")
            : new AmctException(ErrorCodes.DataFormatUnknown, fullPath,
                $"no data format reads this file. Give the samples as one of: {kinds}.");
    }
}
