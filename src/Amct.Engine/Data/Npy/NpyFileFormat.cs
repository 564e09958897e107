namespace Amct.Engine.Data.Npy;

/// <summary>An .npy file: one array of samples stacked along axis 0, named after the input it feeds.</summary>
internal sealed class NpyFileFormat : ISampleFormat
{
    public string Description => ".npy file named after the input (samples stacked along axis 0)";

    public bool CanRead(string path) => File.Exists(path) && ArrayFile.IsNpy(path);

    public ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options) =>
        new ArraySampleSource(path, ArrayMatcher.Match(path, [ArrayFile.Open(path)], inputs));
}
