using Amct.Engine.Onnx;

namespace Amct.Engine.Data.Images;

/// <summary>
/// Images (JPEG, PNG, BMP) as samples for one image input: a file, a folder (with sub-folders), or a pattern. Each
/// image is decoded and preprocessed when its sample is read (<see cref="ImagePipelineFactory"/> says how); opening
/// reads every header, so unsupported formats and images too small for the crop are found before any is decoded.
/// </summary>
internal sealed class ImageFileFormat : ISampleFormat
{
    public string Description => "JPEG, PNG or BMP images: a file, a folder (sub-folders included) or a pattern such as photos/*.jpg";

    public bool CanRead(string path) => ImageFiles.Holds(path);

    public ISampleSource Open(string path, IReadOnlyList<ModelInput> inputs, SampleSourceOptions options)
    {
        if (inputs.Count != 1)
        {
            throw new AmctException(ErrorCodes.DataNeedsInputNames, path,
                $"images feed one input, but the model has {inputs.Count} ({DataErrors.InputList(inputs)}). Give each " +
                "input its own data as name=path;name=path (e.g. image=photos/;mask=masks.npy).");
        }
        var input = inputs[0];
        var pipeline = ImagePipelineFactory.Create(options, input, path);
        var files = ImageFiles.List(path);
        if (files.Count == 0)
        {
            throw new AmctException(ErrorCodes.DataEmpty, path, "the data holds no images. Add JPEG, PNG or BMP files.");
        }
        foreach (var file in files)
        {
            pipeline.Plan(ImageDecoder.ReadHeader(file.Path).Size, file.Path);
        }
        return new ImageSampleSource(path, files, input, pipeline);
    }
}
