namespace Amct.Engine.Data.Npy;

/// <summary>
/// A folder of .npy/.npz files (only those directly inside it; other files are ignored), read in ordinal order of
/// their names so the samples come in the same order on every machine.
/// </summary>
internal sealed class ArrayFolderFormat : ISampleFormat
{
    public string Description => "folder of .npy/.npz files";

    public bool CanRead(string path) => Directory.Exists(path) && ArrayFilePaths(path).Any();

    public ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options)
    {
        var files = ArrayFilePaths(path)
            .Order(StringComparer.Ordinal)
            .Select(ArrayFile.Open)
            .ToList();
        return new ArraySampleSource(path, ArrayMatcher.Match(path, files, inputs));
    }

    private static IEnumerable<string> ArrayFilePaths(string folder) =>
        Directory.EnumerateFiles(folder).Where(f => ArrayFile.IsNpy(f) || ArrayFile.IsNpz(f));
}
