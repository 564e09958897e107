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

    /// <summary>The BatchNormalization parameters of one QAT ConvBn layer, trained-looking (γ, β, running mean and variance).</summary>
    public sealed record BatchNormParameters(float[] Gamma, float[] Beta, float[] Mean, float[] Variance)
    {
        public const float Epsilon = 1e-5f;

        /// <summary>γ/√(var+ε) per channel, in float as PyTorch computes it: the factor the QAT weight is trained scaled by.</summary>
        public float[] ScaleFactor => [.. Gamma.Select((g, c) => g / MathF.Sqrt(Variance[c] + Epsilon))];
    }

    public static readonly BatchNormParameters FirstBatchNorm = new([1.2f, 0.8f, 1.05f], [0.1f, -0.2f, 0.05f], [0.3f, -0.1f, 0.2f], [0.9f, 1.6f, 0.5f]);
    public static readonly BatchNormParameters SecondBatchNorm = new([0.9f, 1.3f], [-0.05f, 0.15f], [0.4f, 0.25f], [2.1f, 0.7f]);

    /// <summary>
    /// Two PyTorch QAT Conv+BatchNormalization layers as torch.ao.nn.intrinsic.qat exports them in eval mode: the conv
    /// weight is trained scaled by the BatchNormalization factor f = γ/√(var+ε) and fake-quantized per channel; the conv
    /// runs with a zero bias, then Div by f, Add the conv's own bias (the first layer has one, the second not), then the
    /// BatchNormalization with its running statistics. The first is a ConvBnReLU (Relu, then uint8 Q/DQ), the second a
    /// ConvBn whose output is quantized with a zero point of 128, then max-pooled.
    /// </summary>
    public static ModelProto TorchConvBn()
    {
        var builder = new ModelBuilder()
            .Input("input", DataTypes.Float, 1, 2, 6, 6)
            .Output("out", DataTypes.Float, 1, 2, 3, 3)
            .Initializer("in_scale", [1], [InputScale])
            .Initializer(TensorData.FromArray<byte>("in_zp", [1], [0]))
            .Node("QuantizeLinear", ["input", "in_scale", "in_zp"], ["input_q"], "in_q")
            .Node("DequantizeLinear", ["input_q", "in_scale", "in_zp"], ["input_dq"], "in_dq");
        ConvBnLayer(builder, "conv1", "input_dq", 2, 3, FirstBatchNorm, [0.1f, -0.05f, 0.02f]);
        builder
            .Node("Relu", ["conv1_bn"], ["conv1_relu"], "conv1_relu")
            .Initializer("conv1.out_scale", [1], [ConvOutScale])
            .Initializer(TensorData.FromArray<byte>("conv1.out_zp", [1], [0]))
            .Node("QuantizeLinear", ["conv1_relu", "conv1.out_scale", "conv1.out_zp"], ["conv1_q"], "conv1_out_q")
            .Node("DequantizeLinear", ["conv1_q", "conv1.out_scale", "conv1.out_zp"], ["conv1_dq"], "conv1_out_dq");
        ConvBnLayer(builder, "conv2", "conv1_dq", 3, 2, SecondBatchNorm, null);
        return builder
            .Initializer("conv2.out_scale", [1], [0.03f])
            .Initializer(TensorData.FromArray<byte>("conv2.out_zp", [1], [128]))
            .Node("QuantizeLinear", ["conv2_bn", "conv2.out_scale", "conv2.out_zp"], ["conv2_q"], "conv2_out_q")
            .Node("DequantizeLinear", ["conv2_q", "conv2.out_scale", "conv2.out_zp"], ["conv2_dq"], "conv2_out_dq")
            .Node("MaxPool", ["conv2_dq"], ["out"], "pool", IntsAttribute("kernel_shape", 2, 2), IntsAttribute("strides", 2, 2))
            .Build();
    }

    /// <summary>The float weight of a <see cref="TorchConvBn"/> layer, before the BatchNormalization factor scales it.</summary>
    public static float[] ConvBnWeight(string layer, int inputs, int outputs) =>
        Pattern(outputs * inputs * 9, 0.5, layer == "conv1" ? 0.4 : 2.1);

    /// <summary>The per-channel weight scales a <see cref="TorchConvBn"/> layer was trained with (its scaled weight's |max| / 127).</summary>
    public static float[] ConvBnWeightScales(string layer, int inputs, int outputs, BatchNormParameters batchNorm)
    {
        var scaled = ScaledWeight(layer, inputs, outputs, batchNorm);
        var size = inputs * 9;
        return [.. Enumerable.Range(0, outputs).Select(c => scaled.Skip(c * size).Take(size).Max(MathF.Abs) / 127)];
    }

    /// <summary>The weight times the BatchNormalization factor per output channel, as the QAT module fake-quantizes it.</summary>
    public static float[] ScaledWeight(string layer, int inputs, int outputs, BatchNormParameters batchNorm)
    {
        var factor = batchNorm.ScaleFactor;
        return [.. ConvBnWeight(layer, inputs, outputs).Select((w, i) => w * factor[i / (inputs * 9)])];
    }

    private static void ConvBnLayer(ModelBuilder builder, string layer, string input, int inputs, int outputs,
        BatchNormParameters batchNorm, float[]? convBias)
    {
        var beforeBatchNorm = convBias is null ? $"{layer}_div" : $"{layer}_add";
        builder
            .Initializer($"{layer}.scaled_weight", [outputs, inputs, 3, 3], ScaledWeight(layer, inputs, outputs, batchNorm))
            .Initializer($"{layer}.w_scale", [outputs], ConvBnWeightScales(layer, inputs, outputs, batchNorm))
            .Initializer(TensorData.FromArray<sbyte>($"{layer}.w_zp", [outputs], new sbyte[outputs]))
            .Node("QuantizeLinear", [$"{layer}.scaled_weight", $"{layer}.w_scale", $"{layer}.w_zp"], [$"{layer}_wq"], $"{layer}_w_q", IntAttribute("axis", 0))
            .Node("DequantizeLinear", [$"{layer}_wq", $"{layer}.w_scale", $"{layer}.w_zp"], [$"{layer}_wdq"], $"{layer}_w_dq", IntAttribute("axis", 0))
            .Initializer($"{layer}.zero_bias", [outputs], new float[outputs])
            .Node("Conv", [input, $"{layer}_wdq", $"{layer}.zero_bias"], [$"{layer}_conv"], $"{layer}_conv", IntsAttribute("pads", 1, 1, 1, 1))
            .Initializer($"{layer}.scale_factor", [1, outputs, 1, 1], batchNorm.ScaleFactor)
            .Node("Div", [$"{layer}_conv", $"{layer}.scale_factor"], [$"{layer}_div"], $"{layer}_div");
        if (convBias is not null)
        {
            builder
                .Initializer($"{layer}.bias", [1, outputs, 1, 1], convBias)
                .Node("Add", [$"{layer}_div", $"{layer}.bias"], [$"{layer}_add"], $"{layer}_add");
        }
        builder
            .Initializer($"{layer}.bn.weight", [outputs], batchNorm.Gamma)
            .Initializer($"{layer}.bn.bias", [outputs], batchNorm.Beta)
            .Initializer($"{layer}.bn.running_mean", [outputs], batchNorm.Mean)
            .Initializer($"{layer}.bn.running_var", [outputs], batchNorm.Variance)
            .Node("BatchNormalization", [beforeBatchNorm, $"{layer}.bn.weight", $"{layer}.bn.bias", $"{layer}.bn.running_mean", $"{layer}.bn.running_var"],
                [$"{layer}_bn"], $"{layer}_bn", FloatAttribute("epsilon", BatchNormParameters.Epsilon));
    }

    /// <summary>
    /// The float model a PyTorch-style QDQ model was exported from: every Q→DQ pair taken out, its readers reading the
    /// float value the QuantizeLinear took (the original float weights included). For gating an import against.
    /// </summary>
    public static ModelProto FloatBehind(ModelProto qdq)
    {
        var model = qdq.Clone();
        var graph = model.Graph;
        var pairs = graph.Node.Where(n => n.OpType == "DequantizeLinear")
            .Select(dq => (Dq: dq, Q: graph.Node.Single(q => q.OpType == "QuantizeLinear" && q.Output[0] == dq.Input[0])))
            .ToList();
        foreach (var (dq, q) in pairs)
        {
            foreach (var node in graph.Node)
            {
                for (var i = 0; i < node.Input.Count; i++)
                {
                    node.Input[i] = node.Input[i] == dq.Output[0] ? q.Input[0] : node.Input[i];
                }
            }
            graph.Node.Remove(dq);
            graph.Node.Remove(q);
        }
        return model;
    }
}
