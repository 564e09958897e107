using Amct.Engine.Onnx;

namespace Amct.TestSupport;

/// <summary>
/// Convolutional nets built in code, for the latency-aware layer choice: one of depthwise-separable blocks (the
/// kind ONNX Runtime's blocked float kernels run faster than its int8 ones) and one of standard 3×3 convolutions
/// (where int8 wins). Weights are deterministic patterns; every Conv is followed by a Relu.
/// </summary>
public static class ConvNets
{
    /// <summary>
    /// A stem 3×3 Conv (stride 2) to <paramref name="channels"/>, then <paramref name="blocks"/> blocks of a depthwise
    /// 3×3 Conv and a pointwise 1×1 Conv (MobileNet style), every other block with stride 2.
    /// Input [1, 3, height, width], output the last feature map.
    /// </summary>
    public static ModelProto DepthwiseSeparable(int channels = 16, int blocks = 4, int height = 32, int width = 32) =>
        DepthwiseSeparable(channels, Enumerable.Range(0, blocks).Select(i => (i % 2 == 1 ? 2 : 1, channels)).ToList(), height, width);

    /// <summary>
    /// The backbone of UltraFace's slim face detector (version-slim-320): input [1, 3, 240, 320], a stem 3×3 Conv to 16
    /// channels at stride 2, then 12 depthwise-separable blocks widening to 256 channels at strides 1/2. The published
    /// model adds detection heads (52 Convs in all); the backbone holds most of its depthwise layers and time.
    /// </summary>
    public static ModelProto UltraFaceStyle() => DepthwiseSeparable(16,
        [(1, 32), (2, 32), (1, 32), (2, 64), (1, 64), (1, 64), (2, 128), (1, 128), (1, 128), (1, 128), (2, 256), (1, 256)], 240, 320);

    /// <summary>A stem Conv to <paramref name="stem"/> channels, then per block (stride, output channels) a depthwise and a pointwise Conv.</summary>
    private static ModelProto DepthwiseSeparable(int stem, List<(int Stride, int Channels)> blocks, int height, int width)
    {
        var builder = new ModelBuilder().Input("input", DataTypes.Float, 1, 3, height, width);
        var (current, h, w) = Conv(builder, "input", "stem", 3, stem, 3, 1, 2, height, width);
        var channels = stem;
        for (var i = 0; i < blocks.Count; i++)
        {
            (current, h, w) = Conv(builder, current, $"dw{i}", channels, channels, 3, channels, blocks[i].Stride, h, w);
            (current, h, w) = Conv(builder, current, $"pw{i}", channels, blocks[i].Channels, 1, 1, 1, h, w);
            channels = blocks[i].Channels;
        }
        return builder.Output(current, DataTypes.Float, 1, channels, h, w).Build();
    }

    /// <summary>
    /// <paramref name="layers"/> standard 3×3 Convs at <paramref name="channels"/> channels, stride 1, on an input of
    /// <paramref name="inputChannels"/> channels. With 3 (an RGB image) the first Conv is a stem layer, which the speed
    /// search times on its own; with a multiple of 4 every Conv is a standard one.
    /// </summary>
    public static ModelProto Standard(int channels = 16, int layers = 3, int height = 16, int width = 16, int inputChannels = 3)
    {
        var builder = new ModelBuilder().Input("input", DataTypes.Float, 1, inputChannels, height, width);
        var (current, inChannels) = ("input", inputChannels);
        for (var i = 0; i < layers; i++)
        {
            (current, _, _) = Conv(builder, current, $"conv{i}", inChannels, channels, 3, 1, 1, height, width);
            inChannels = channels;
        }
        return builder.Output(current, DataTypes.Float, 1, channels, height, width).Build();
    }

    /// <summary>
    /// SqueezeNet 1.1 in small, as its file is built: input [1, 3, 16, 16], a stem 3×3 Conv (stride 2) to 16 channels,
    /// one fire module (squeeze 1×1 to 8, expand 1×1 and 3×3 to 16 each, Concat: its inputs share factors), MaxPool,
    /// a 1×1 classifier Conv to <paramref name="classes"/>, GlobalAveragePool, a Reshape to [1, classes] (which fixes
    /// the batch at 1, as SqueezeNet's does) and Softmax. Every Conv is followed by a Relu.
    /// </summary>
    public static ModelProto SqueezeNetStyle(int classes = 10)
    {
        var builder = new ModelBuilder().Input("input", DataTypes.Float, 1, 3, 16, 16);
        var (stem, h, w) = Conv(builder, "input", "stem", 3, 16, 3, 1, 2, 16, 16);
        var (squeeze, _, _) = Conv(builder, stem, "squeeze", 16, 8, 1, 1, 1, h, w);
        var (expand1, _, _) = Conv(builder, squeeze, "expand1x1", 8, 16, 1, 1, 1, h, w);
        var (expand3, _, _) = Conv(builder, squeeze, "expand3x3", 8, 16, 3, 1, 1, h, w);
        builder.Node("Concat", [expand1, expand3], ["fire"], "fire_concat", ModelBuilder.IntAttribute("axis", 1))
            .Node("MaxPool", ["fire"], ["pool"], "pool", ModelBuilder.IntsAttribute("kernel_shape", 2, 2), ModelBuilder.IntsAttribute("strides", 2, 2));
        var (scores, _, _) = Conv(builder, "pool", "classifier", 32, classes, 1, 1, 1, h / 2, w / 2);
        return builder.Node("GlobalAveragePool", [scores], ["gap"], "gap")
            .Initializer(TensorData.FromArray<long>("shape", [2], [1, classes]))
            .Node("Reshape", ["gap", "shape"], ["logits"], "flatten")
            .Node("Softmax", ["logits"], ["probabilities"], "softmax", ModelBuilder.IntAttribute("axis", 1))
            .Output("probabilities", DataTypes.Float, 1, classes)
            .Build();
    }

    /// <summary>Deterministic input samples [count, channels, height, width] in [-1, 1], as one .npy file.</summary>
    public static void WriteSamples(string path, int count, int height, int width, int channels = 3)
    {
        var values = new float[count * channels * height * width];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)Math.Sin(0.013 * i + (i % 7));
        }
        NpyWriter.Write(path, [count, channels, height, width], values);
    }

    /// <summary>Adds Conv (padding 1 for 3×3) and Relu; the Relu's output, and the output height and width.</summary>
    private static (string Output, int Height, int Width) Conv(ModelBuilder builder, string input, string name, int inChannels,
        int outChannels, int kernel, int group, int stride, int height, int width)
    {
        var weight = ModelBuilder.Pattern(outChannels * (inChannels / group) * kernel * kernel, 0.3, name.Length);
        var pad = kernel / 2;
        builder.Initializer($"{name}.w", [outChannels, inChannels / group, kernel, kernel], weight)
            .Initializer($"{name}.b", [outChannels], ModelBuilder.Pattern(outChannels, 0.1, 1))
            .Node("Conv", [input, $"{name}.w", $"{name}.b"], [$"{name}.conv"], name,
                ModelBuilder.IntAttribute("group", group), ModelBuilder.IntsAttribute("kernel_shape", kernel, kernel),
                ModelBuilder.IntsAttribute("pads", pad, pad, pad, pad), ModelBuilder.IntsAttribute("strides", stride, stride))
            .Node("Relu", [$"{name}.conv"], [$"{name}.relu"], $"{name}_relu");
        return ($"{name}.relu", ((height + (2 * pad) - kernel) / stride) + 1, ((width + (2 * pad) - kernel) / stride) + 1);
    }
}
