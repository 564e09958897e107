namespace Amct.Engine.Data.Images;

/// <summary>
/// Images decoded and preprocessed one at a time as the samples are read: memory holds one image, whatever the
/// number of files. A sample is named after its file (path relative to the data folder), which labels match.
/// </summary>
internal sealed class ImageSampleSource : ISampleSource
{
    private readonly IReadOnlyList<ImageFile> _files;
    private readonly ModelInput _input;

    public ImageSampleSource(string description, IReadOnlyList<ImageFile> files, ModelInput input, ImagePipeline pipeline)
    {
        Description = description;
        _files = files;
        _input = input;
        Pipeline = pipeline;
    }

    public string Description { get; }

    public long Count => _files.Count;

    /// <summary>The resolved preprocessing.</summary>
    public ImagePipeline Pipeline { get; }

    public IEnumerable<Sample> Read()
    {
        for (var i = 0; i < _files.Count; i++)
        {
            var file = _files[i];
            var image = ImageDecoder.Decode(file.Path);
            var tensor = Pipeline.Run(image, file.Path, _input.Name);
            yield return new Sample(i, file.Name, new Dictionary<string, Onnx.TensorProto>(StringComparer.Ordinal)
            {
                [_input.Name] = tensor,
            });
        }
    }

    public IEnumerable<string?> ReadNames() => _files.Select(file => file.Name);

    /// <summary>Nothing to release: each image file is open only while it is decoded.</summary>
    public void Dispose()
    {
    }
}
