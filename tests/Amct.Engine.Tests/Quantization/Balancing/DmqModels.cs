using Amct.Engine.Onnx;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Balancing;

/// <summary>Small models built in code whose activations a few channels dominate, and data for them.</summary>
internal static class DmqModels
{
    public const int Width = 16;

    /// <summary>The channel of the hidden activation that is <see cref="OutlierGain"/> times larger than the others.</summary>
    public const int OutlierChannel = 3;

    public const float OutlierGain = 60;

    /// <summary>
    /// x [N, 16] → MatMul W1 → Add b1 → Relu → h → MatMul W2 [16, 8] → y. Column 3 of W1 and b1[3] are 60 times larger,
    /// so channel 3 of h sets its int8 step and the other channels keep a few codes. With <paramref name="hiddenIsOutput"/>,
    /// h is also a graph output: dividing it at its producer would change that output, so balancing inserts a Mul.
    /// </summary>
    public static ModelProto OutlierMlp(bool hiddenIsOutput = false)
    {
        var w1 = ModelBuilder.Pattern(Width * Width, 0.4, 1);
        var b1 = ModelBuilder.Pattern(Width, 0.1, 2);
        for (var row = 0; row < Width; row++)
        {
            w1[row * Width + OutlierChannel] *= OutlierGain;
        }
        b1[OutlierChannel] = Math.Abs(b1[OutlierChannel]) * OutlierGain;
        var builder = new ModelBuilder().Input("x", DataTypes.Float, -1, Width)
            .Initializer("w1", [Width, Width], w1)
            .Initializer("b1", [Width], b1)
            .Initializer("w2", [Width, 8], ModelBuilder.Pattern(Width * 8, 0.3, 3))
            .Node("MatMul", ["x", "w1"], ["m1"], "fc1")
            .Node("Add", ["m1", "b1"], ["a1"], "fc1_bias")
            .Node("Relu", ["a1"], ["h"], "relu1")
            .Node("MatMul", ["h", "w2"], ["y"], "fc2")
            .Output("y", DataTypes.Float, -1, 8);
        return hiddenIsOutput ? builder.Output("h", DataTypes.Float, -1, Width).Build() : builder.Build();
    }

    /// <summary>Deterministic samples [count, 16] in [-1, 1].</summary>
    public static TensorProto Samples(int count, string name = "x")
    {
        var values = new float[count * Width];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)Math.Sin(0.37 * i + (i % 5));
        }
        return TensorData.FromArray<float>(name, [count, Width], values);
    }

    public static void WriteSamples(string path, int count) =>
        NpyWriter.Write(path, [count, Width], TensorData.ToArray<float>(Samples(count)));
}
