using System.Globalization;
using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// The data errors more than one format raises, worded once so every format says the same thing the same way.
/// The target is always the data file or folder.
/// </summary>
internal static class DataErrors
{
    public static AmctException NotFound(string path, string what) =>
        new(ErrorCodes.DataNotFound, path, $"the {what} does not exist. Check the path.");

    public static AmctException Unreadable(string path, Exception error) =>
        new(ErrorCodes.DataUnreadable, path,
            $"the data could not be read ({error.Message.TrimEnd('.')}). Check that the file exists and is readable.",
            error);

    public static AmctException Corrupt(string path, string label, string detail, Exception? inner = null) =>
        new(ErrorCodes.DataCorrupt, path,
            $"{label} is damaged: {detail}. It was probably cut short while copying or written by a faulty tool; " +
            "save or copy it again.", inner);

    public static AmctException UnknownInput(string path, string label, string key, IReadOnlyList<ModelInput> inputs) =>
        new(ErrorCodes.DataUnknownInput, path,
            $"{label} holds data for '{key}', but the model has no input of that name. The model's inputs are " +
            $"{InputList(inputs)}; name the data after the input it feeds.");

    public static AmctException MissingInput(string path, ModelInput input, IReadOnlyList<ModelInput> inputs) =>
        new(ErrorCodes.DataMissingInput, path,
            $"no data for input '{input.Name}' ({Describe(input)}). Every model input needs data: the model's inputs " +
            $"are {InputList(inputs)}; add a file or key named after each input, or give the input one value for every " +
            $"run with the InputValues setting (--input-values {input.Name}=VALUE), as a sample-rate input takes.");

    public static AmctException DuplicateInput(string path, ModelInput input, string first, string second) =>
        new(ErrorCodes.DataDuplicateInput, path,
            $"input '{input.Name}' gets data from both {first} and {second}, so it is unclear which samples belong " +
            "together. Keep one of them.");

    /// <summary>"float32 [?,3,224,224]".</summary>
    public static string Describe(ModelInput input) => $"{DataTypes.Name(input.ElementType)} {input.ShapeText}";

    /// <summary>"'a' float32 [?,4], 'b' int64 [?]".</summary>
    public static string InputList(IReadOnlyList<ModelInput> inputs) =>
        string.Join(", ", inputs.Select(i => $"'{i.Name}' {Describe(i)}"));

    public static string Dims(IEnumerable<long> dims) =>
        "[" + string.Join(",", dims.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    public static string Count(long value) => value.ToString(CultureInfo.InvariantCulture);
}
