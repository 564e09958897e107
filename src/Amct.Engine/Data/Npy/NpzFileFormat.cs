namespace Amct.Engine.Data.Npy;

/// <summary>An .npz file (numpy.savez or savez_compressed): one array per input, keyed by the input's name.</summary>
internal sealed class NpzFileFormat : ISampleFormat
{
    public string Description => ".npz file with one key per input name (samples stacked along axis 0)";

    public bool CanRead(string path) => File.Exists(path) && ArrayFile.IsNpz(path);

    public ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options) =>
        new ArraySampleSource(path, ArrayMatcher.Match(path, [ArrayFile.Open(path)], inputs));
}
