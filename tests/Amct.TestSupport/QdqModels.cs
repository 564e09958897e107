using Amct.Engine.Onnx;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.TestSupport;

/// <summary>
/// Small QDQ models in the shapes the usual exporters write, for the QAT import's tests: PyTorch's (fake-quantized
/// float weights, 1-element factors, zero points through Identity nodes) and ONNX Runtime's quantizer's (int8 weight and
/// int32 bias initializers behind DequantizeLinear, the Relu already removed).
/// </summary>
public static class QdqModels
{
    public const float InputScale = 1f / 255;
    public const float ConvOutScale = 0.02f;
    public const byte ConvOutZeroPoint = 0;

    /// <summary>
    /// PyTorch-style: input Q/DQ (uint8, 1-element factors); Conv weight fake-quantized per channel (float → Q → DQ,
    /// zero point through an Identity); Relu, then Q/DQ; a residual Add of two such branches with its own Q/DQ.
    /// </summary>
    public static ModelProto TorchStyle()
    {
        var builder = new ModelBuilder()
            .Input("input", DataTypes.Float, 1, 2, 4, 4)
            .Output("out", DataTypes.Float, 1, 2, 2, 2)
            .Initializer("in_scale", [1], [InputScale])
            .Initializer(TensorData.FromArray<byte>("in_zp", [1], [0]))
            .Node("QuantizeLinear", ["input", "in_scale", "in_zp"], ["input_q"], "in_q")
            .Node("DequantizeLinear", ["input_q", "in_scale", "in_zp"], ["input_dq"], "in_dq")
            .Initializer(TensorData.FromArray<sbyte>("w_zp_shared", [2], [0, 0]));
        foreach (var (branch, phase) in new[] { ("a", 0.0), ("b", 1.3) })
        {
            builder
                .Initializer($"{branch}.weight", [2, 2, 3, 3], Pattern(36, 0.5, phase))
                .Initializer($"{branch}.bias", [2], [0.05f, -0.03f])
                .Initializer($"{branch}.w_scale", [2], [0.5f / 127, 0.45f / 127])
                .Node("Identity", ["w_zp_shared"], [$"{branch}_w_zp"], $"{branch}_identity")
                .Node("QuantizeLinear", [$"{branch}.weight", $"{branch}.w_scale", $"{branch}_w_zp"], [$"{branch}_wq"], $"{branch}_w_q", IntAttribute("axis", 0))
                .Node("DequantizeLinear", [$"{branch}_wq", $"{branch}.w_scale", $"{branch}_w_zp"], [$"{branch}_wdq"], $"{branch}_w_dq", IntAttribute("axis", 0))
                .Node("Conv", ["input_dq", $"{branch}_wdq", $"{branch}.bias"], [$"{branch}_conv"], $"{branch}_conv", IntsAttribute("pads", 1, 1, 1, 1))
                .Node("Relu", [$"{branch}_conv"], [$"{branch}_relu"], $"{branch}_relu")
                .Initializer($"{branch}.out_scale", [1], [ConvOutScale])
                .Initializer(TensorData.FromArray<byte>($"{branch}.out_zp", [1], [ConvOutZeroPoint]))
                .Node("QuantizeLinear", [$"{branch}_relu", $"{branch}.out_scale", $"{branch}.out_zp"], [$"{branch}_q"], $"{branch}_out_q")
                .Node("DequantizeLinear", [$"{branch}_q", $"{branch}.out_scale", $"{branch}.out_zp"], [$"{branch}_dq"], $"{branch}_out_dq");
        }
        return builder
            .Node("Add", ["a_dq", "b_dq"], ["sum"], "add")
            .Initializer("add_scale", [1], [0.04f])
            .Initializer(TensorData.FromArray<byte>("add_zp", [1], [0]))
            .Node("QuantizeLinear", ["sum", "add_scale", "add_zp"], ["sum_q"], "add_q")
            .Node("DequantizeLinear", ["sum_q", "add_scale", "add_zp"], ["sum_dq"], "add_dq")
            .Node("MaxPool", ["sum_dq"], ["out"], "pool", IntsAttribute("kernel_shape", 2, 2), IntsAttribute("strides", 2, 2))
            .Build();
    }

    /// <summary>
    /// ONNX Runtime quantizer style: int8 weight and int32 bias initializers behind DequantizeLinear (scalar activation
    /// factors, per-channel weight scales), the Relu already removed (its zero point at 0 clamps), a Gemm after.
    /// </summary>
    public static ModelProto OrtStyle()
    {
        sbyte[] weight = [.. Enumerable.Range(0, 18).Select(i => (sbyte)((i * 37 % 255) - 127))];
        float[] weightScales = [0.004f, 0.003f];
        int[] bias = [120, -75];
        return new ModelBuilder()
            .Input("input", DataTypes.Float, 1, 1, 4, 4)
            .Output("logits", DataTypes.Float, 1, 3)
            .Initializer(TensorData.FromArray<float>("in_scale", [], [InputScale]))
            .Initializer(TensorData.FromArray<byte>("in_zp", [], [0]))
            .Node("QuantizeLinear", ["input", "in_scale", "in_zp"], ["input_q"], "in_q")
            .Node("DequantizeLinear", ["input_q", "in_scale", "in_zp"], ["input_dq"], "in_dq")
            .Initializer(TensorData.FromArray<sbyte>("w_quantized", [2, 1, 3, 3], weight))
            .Initializer(TensorData.FromArray<float>("w_scale", [2], weightScales))
            .Initializer(TensorData.FromArray<sbyte>("w_zp", [2], [0, 0]))
            .Node("DequantizeLinear", ["w_quantized", "w_scale", "w_zp"], ["w"], "w_dq", IntAttribute("axis", 0))
            .Initializer(TensorData.FromArray<int>("b_quantized", [2], bias))
            .Initializer(TensorData.FromArray<float>("b_scale", [2], [InputScale * weightScales[0], InputScale * weightScales[1]]))
            .Initializer(TensorData.FromArray<int>("b_zp", [2], [0, 0]))
            .Node("DequantizeLinear", ["b_quantized", "b_scale", "b_zp"], ["b"], "b_dq", IntAttribute("axis", 0))
            .Node("Conv", ["input_dq", "w", "b"], ["conv"], "conv", IntsAttribute("pads", 1, 1, 1, 1))
            .Initializer(TensorData.FromArray<float>("conv_scale", [], [ConvOutScale]))
            .Initializer(TensorData.FromArray<byte>("conv_zp", [], [ConvOutZeroPoint]))
            .Node("QuantizeLinear", ["conv", "conv_scale", "conv_zp"], ["conv_q"], "conv_q")
            .Node("DequantizeLinear", ["conv_q", "conv_scale", "conv_zp"], ["conv_dq"], "conv_dq")
            .Initializer(TensorData.FromArray<long>("shape", [2], [1, 32]))
            .Node("Reshape", ["conv_dq", "shape"], ["flat"], "flatten")
            .Initializer(TensorData.FromArray<float>("fc_weight", [3, 32], Pattern(96, 0.3)))
            .Node("Gemm", ["flat", "fc_weight"], ["logits"], "fc", IntAttribute("transB", 1))
            .Build();
    }
}
