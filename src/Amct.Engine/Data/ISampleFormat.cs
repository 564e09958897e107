namespace Amct.Engine.Data;

/// <summary>
/// One kind of sample data (an .npy file, a folder of ONNX test data sets, ...). <see cref="SampleSources"/> asks
/// each registered format in turn whether it reads a path and opens the path with the first that does; a new kind
/// of data is one class implementing this and one line in <see cref="SampleSources.Formats"/>.
/// </summary>
public interface ISampleFormat
{
    /// <summary>What the format reads, for messages, e.g. ".npy file (samples stacked along axis 0)".</summary>
    string Description { get; }

    /// <summary>
    /// Whether this format reads the file or folder at <paramref name="path"/>: a full path that exists, or a full
    /// path with wildcards (<c>photos/*.jpg</c>) that formats reading lists of files accept. Decides by names only
    /// (an extension, the files a folder holds); problems inside the files surface in <see cref="Open"/>.
    /// </summary>
    bool CanRead(string path);

    /// <summary>
    /// Opens the data at <paramref name="path"/> for the model inputs: reads what describes the data (headers),
    /// checks it against the inputs and returns a source that streams the samples. Errors are
    /// <see cref="AmctException"/>s (AMCT30xx) whose target is the data file or folder.
    /// </summary>
    /// <param name="path">What <see cref="CanRead"/> accepted.</param>
    /// <param name="inputs">The model inputs to feed (at least one).</param>
    /// <param name="options">What the data does not say about itself (image preprocessing, raw shapes and types).</param>
    ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options);
}
