using Amct.Engine.Data;
using Amct.Engine.Data.Images;
using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Data.Images;

/// <summary>Shorthand for the image tests: image inputs, options, and reading preprocessed pixels back.</summary>
internal static class ImageData
{
    /// <summary>A float32 input [1,C,H,W].</summary>
    public static ModelInput Nchw(int channels, int height, int width, string name = "image") =>
        new(name, DataTypes.Float, [1, channels, height, width]);

    /// <summary>A float32 input [1,H,W,C].</summary>
    public static ModelInput Nhwc(int height, int width, int channels, string name = "image") =>
        new(name, DataTypes.Float, [1, height, width, channels]);

    public static SampleSourceOptions Options(ImagePreprocessing image, string? preset = null) =>
        new() { Image = image, Preset = preset };

    /// <summary>Reads every sample of the images at <paramref name="path"/>.</summary>
    public static List<Sample> ReadAll(string path, ModelInput input, SampleSourceOptions? options = null)
    {
        using var source = SampleSources.Open(path, [input], options ?? SampleSourceOptions.Default);
        var samples = source.Read().ToList();
        Assert.HasCount((int)source.Count, samples);
        return samples;
    }

    /// <summary>The float values of the single image at <paramref name="path"/>, and the row dims.</summary>
    public static (float[] Values, long[] Dims) ReadOne(string path, ModelInput input, SampleSourceOptions? options = null)
    {
        var sample = ReadAll(path, input, options).Single();
        var tensor = sample.Inputs[input.Name];
        return (TensorData.ToArray<float>(tensor), tensor.Dims.ToArray());
    }

    /// <summary>A PNG whose red is x, green is y and blue a constant: every pixel says where it came from.</summary>
    public static string Coordinates(TempFolder temp, int width, int height, string name = "coords.png", byte blue = 7) =>
        ImageWriter.Png(temp.File(name), width, height, (x, y) => ((byte)x, (byte)y, blue));

    /// <summary>A single-row grayscale-valued PNG (R = G = B = values[x]) with the given height.</summary>
    public static string Row(TempFolder temp, byte[] values, int height = 1, string name = "row.png") =>
        ImageWriter.Png(temp.File(name), values.Length, height, (x, _) => (values[x], values[x], values[x]));
}
