namespace Amct.Engine.Data.Npy;

/// <summary>
/// Matches the arrays of .npy/.npz files to model inputs by name: an .npy file's name without its extension, an
/// .npz entry's key. A single-input model is lenient: any file holding a single array feeds its input whatever its
/// name, and every such file adds its samples (in the order the files are given). A multi-input model needs exactly
/// one array per input, named after it.
/// </summary>
internal static class ArrayMatcher
{
    /// <param name="sourcePath">The file or folder the user gave, for errors about the data as a whole.</param>
    /// <param name="files">The files, in the order their samples come.</param>
    /// <param name="inputs">The model inputs (at least one).</param>
    public static IReadOnlyList<SampleGroup> Match(string sourcePath, IReadOnlyList<ArrayFile> files, IReadOnlyList<ModelInput> inputs) =>
        inputs.Count == 1 ? MatchSingleInput(sourcePath, files, inputs) : [MatchByName(sourcePath, files, inputs)];

    private static List<SampleGroup> MatchSingleInput(string sourcePath, IReadOnlyList<ArrayFile> files, IReadOnlyList<ModelInput> inputs)
    {
        var input = inputs[0];
        var groups = new List<SampleGroup>();
        foreach (var file in files.Where(f => f.Arrays.Count > 0))
        {
            if (file.Arrays.Count > 1)
            {
                // Several keys in one .npz: they must be named, and a single input takes only one of them.
                var unknown = file.Arrays.FirstOrDefault(a => a.Key != input.Name);
                throw unknown is not null
                    ? DataErrors.UnknownInput(file.Path, unknown.Label, unknown.Key, inputs)
                    : DataErrors.DuplicateInput(file.Path, input, file.Arrays[0].Label, file.Arrays[1].Label);
            }
            groups.Add(new SampleGroup([InputBinder.Bind(input, file.Arrays[0])], null, file.Path));
        }
        return groups.Count > 0 ? groups : throw DataErrors.MissingInput(sourcePath, input, inputs);
    }

    private static SampleGroup MatchByName(string sourcePath, IReadOnlyList<ArrayFile> files, IReadOnlyList<ModelInput> inputs)
    {
        var arrays = new Dictionary<string, RowArray>(StringComparer.Ordinal);
        foreach (var array in files.SelectMany(f => f.Arrays))
        {
            var input = inputs.FirstOrDefault(i => i.Name == array.Key)
                ?? throw DataErrors.UnknownInput(array.Path, array.Label, array.Key, inputs);
            if (!arrays.TryAdd(input.Name, array))
            {
                throw DataErrors.DuplicateInput(array.Path, input, arrays[input.Name].Label, array.Label);
            }
        }
        var bindings = inputs
            .Select(input => arrays.TryGetValue(input.Name, out var array)
                ? InputBinder.Bind(input, array)
                : throw DataErrors.MissingInput(sourcePath, input, inputs))
            .ToList();
        return new SampleGroup(bindings, null, sourcePath);
    }
}
