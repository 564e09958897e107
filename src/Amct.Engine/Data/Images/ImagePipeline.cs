using Amct.Engine.Onnx;

namespace Amct.Engine.Data.Images;

/// <summary>
/// The preprocessing of one model input, resolved: the 8-bit steps in order (resize, center crop, color order),
/// then normalization, element type and layout in the <see cref="TensorWriter"/>. Built by
/// <see cref="ImagePipelineFactory"/>.
/// </summary>
internal sealed class ImagePipeline
{
    public ImagePipeline(IReadOnlyList<IImageStep> steps, TensorWriter writer)
    {
        Steps = steps;
        Writer = writer;
    }

    public IReadOnlyList<IImageStep> Steps { get; }

    public TensorWriter Writer { get; }

    /// <summary>The size the steps make of an image of <paramref name="decoded"/> size; throws for images they cannot take.</summary>
    public ImageSize Plan(ImageSize decoded, string file)
    {
        var origin = new ImageOrigin(file, decoded);
        return Steps.Aggregate(decoded, (size, step) => step.Plan(size, origin));
    }

    /// <summary>The row tensor (input shape without the batch axis) for one decoded RGB image.</summary>
    public TensorProto Run(PixelImage image, string file, string inputName)
    {
        var origin = new ImageOrigin(file, image.Size);
        var result = Steps.Aggregate(image, (current, step) => step.Apply(current, origin));
        return Writer.Write(result, inputName);
    }

    /// <summary>E.g. "resize shorter side to 256 (bilinear), center crop 224x224, BGR, scale 1, mean [104,117,123], std [1,1,1], NCHW float32".</summary>
    public string Describe() => string.Join(", ", Steps.Select(s => s.Describe()).Append(Writer.Describe()));
}
