namespace Amct.Engine.Data.TestData;

/// <summary>
/// One ONNX test data set folder (<c>test_data_set_N</c>): <c>input_K.pb</c> files, each a TensorProto with the
/// batch axis included. File K feeds the model input named like its tensor, or else the K-th model input; its rows
/// along axis 0 are the data set's samples. Output files (<c>output_K.pb</c>) are not inputs and are left alone.
/// </summary>
internal static class TestDataSet
{
    public const string InputPrefix = "input_";
    public const string InputSuffix = ".pb";

    /// <summary>The input files of a data set folder, by number.</summary>
    public static IReadOnlyList<(string Path, int Number)> InputFiles(string folder) =>
        NumberedName.Select(Directory.EnumerateFiles(folder), InputPrefix, InputSuffix);

    /// <summary>Reads the headers of the data set's tensors and binds them to the model inputs.</summary>
    /// <param name="folder">The data set folder (a full path).</param>
    /// <param name="inputs">The model inputs.</param>
    public static SampleGroup Read(string folder, IReadOnlyList<ModelInput> inputs)
    {
        var setName = Path.GetFileName(folder);
        var arrays = new Dictionary<string, TensorFileArray>(StringComparer.Ordinal);
        foreach (var (file, number) in InputFiles(folder))
        {
            var array = TensorFileArray.Open(file, $"'{setName}/{Path.GetFileName(file)}'");
            var input = inputs.FirstOrDefault(i => i.Name == array.Key)
                ?? (number < inputs.Count ? inputs[number] : null)
                ?? throw DataErrors.UnknownInput(file, array.Label,
                    array.Key.Length > 0 ? array.Key : Path.GetFileNameWithoutExtension(file), inputs);
            if (!arrays.TryAdd(input.Name, array))
            {
                throw DataErrors.DuplicateInput(file, input, arrays[input.Name].Label, array.Label);
            }
        }
        var bindings = inputs
            .Select(input => arrays.TryGetValue(input.Name, out var array)
                ? InputBinder.Bind(input, array)
                : throw DataErrors.MissingInput(folder, input, inputs))
            .ToList();
        return new SampleGroup(bindings, setName, folder);
    }
}
