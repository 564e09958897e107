using Amct.Engine.Onnx;

namespace Amct.TestSupport;

/// <summary>
/// A transformer encoder block built in code (opset 17), with the operators exporters write for one: a pre-norm
/// causal self-attention (LayerNormalization, one MatMul to q/k/v and a Split, Reshape/Transpose to heads, scaled
/// q·kᵀ, a Where mask broadcast with Expand, Softmax) and a GELU MLP after a LayerNorm written out as ReduceMean, Sub,
/// Pow, Sqrt and Div, GELU written out with Erf; then mean pooling over the tokens and a classifier. Input
/// x [batch, tokens, width], output logits [batch, classes]. Weights are deterministic patterns.
/// </summary>
public static class Transformers
{
    public const long Opset = 17;

    public static ModelProto EncoderBlock(int tokens = 8, int width = 16, int heads = 2, int hidden = 32, int classes = 4)
    {
        var head = width / heads;
        var b = new ModelBuilder(Opset)
            .Input("x", DataTypes.Float, 1, tokens, width)
            .Output("logits", DataTypes.Float, 1, classes);
        b.Vector("ln1_scale", width, 1, 0.1).Vector("ln1_bias", width, 0, 0.05);
        b.Matrix("w_qkv", width, 3 * width).Vector("b_qkv", 3 * width, 0, 0.05);
        b.Matrix("w_out", width, width).Vector("b_out", width, 0, 0.05);
        b.Vector("ln2_scale", width, 1, 0.1).Vector("ln2_bias", width, 0, 0.05);
        b.Matrix("w_up", width, hidden).Vector("b_up", hidden, 0, 0.05);
        b.Matrix("w_down", hidden, width).Vector("b_down", width, 0, 0.05);
        b.Matrix("w_cls", width, classes, 1.0).Vector("b_cls", classes, 0, 0.1);
        b.Initializer(TensorData.FromArray<long>("qkv_split", [3], [width, width, width]))
            .Initializer(TensorData.FromArray<long>("heads_shape", [4], [0, 0, heads, head]))
            .Initializer(TensorData.FromArray<long>("merged_shape", [3], [0, 0, width]))
            .Initializer(TensorData.FromArray<long>("mask_axes", [2], [0, 1]))
            .Initializer(TensorData.FromArray<long>("scores_shape", [4], [1, heads, tokens, tokens]))
            .Initializer(TensorData.FromArray<bool>("causal", [tokens, tokens],
                Enumerable.Range(0, tokens * tokens).Select(i => i % tokens <= i / tokens).ToArray()))
            .Initializer(Scalar("inv_sqrt_head", (float)(1 / Math.Sqrt(head))))
            .Initializer(Scalar("masked", -1e4f)).Initializer(Scalar("two", 2f)).Initializer(Scalar("eps", 1e-5f))
            .Initializer(Scalar("sqrt2", (float)Math.Sqrt(2))).Initializer(Scalar("one", 1f)).Initializer(Scalar("half", 0.5f));
        // Attention.
        b.Node("LayerNormalization", ["x", "ln1_scale", "ln1_bias"], ["ln1"], "ln1", ModelBuilder.IntAttribute("axis", -1))
            .Node("MatMul", ["ln1", "w_qkv"], ["qkv_mm"], "qkv").Node("Add", ["qkv_mm", "b_qkv"], ["qkv_out"], "qkv_bias")
            .Node("Split", ["qkv_out", "qkv_split"], ["q", "k", "v"], "split_qkv", ModelBuilder.IntAttribute("axis", -1));
        foreach (var name in new[] { "q", "k", "v" })
        {
            b.Node("Reshape", [name, "heads_shape"], [name + "_h"], name + "_reshape")
                .Node("Transpose", [name + "_h"], [name + "_t"], name + "_transpose",
                    ModelBuilder.IntsAttribute("perm", name == "k" ? [0, 2, 3, 1] : [0, 2, 1, 3]));
        }
        b.Node("MatMul", ["q_t", "k_t"], ["scores_raw"], "scores").Node("Mul", ["scores_raw", "inv_sqrt_head"], ["scores_scaled"], "scale")
            .Node("Unsqueeze", ["causal", "mask_axes"], ["causal_4d"], "mask_unsqueeze")
            .Node("Expand", ["causal_4d", "scores_shape"], ["mask"], "mask_expand")
            .Node("Where", ["mask", "scores_scaled", "masked"], ["scores_masked"], "mask")
            .Node("Softmax", ["scores_masked"], ["probs"], "softmax", ModelBuilder.IntAttribute("axis", -1))
            .Node("MatMul", ["probs", "v_t"], ["context_h"], "context")
            .Node("Transpose", ["context_h"], ["context_t"], "context_transpose", ModelBuilder.IntsAttribute("perm", 0, 2, 1, 3))
            .Node("Reshape", ["context_t", "merged_shape"], ["context"], "context_reshape")
            .Node("MatMul", ["context", "w_out"], ["attn_mm"], "attn_out").Node("Add", ["attn_mm", "b_out"], ["attn"], "attn_bias")
            .Node("Add", ["x", "attn"], ["h1"], "residual1");
        // LayerNorm written out: (h - mean) / sqrt(var + eps) * scale + bias.
        b.Node("ReduceMean", ["h1"], ["mean"], "ln2_mean", ModelBuilder.IntsAttribute("axes", -1))
            .Node("Sub", ["h1", "mean"], ["centered"], "ln2_center")
            .Node("Pow", ["centered", "two"], ["squared"], "ln2_square")
            .Node("ReduceMean", ["squared"], ["variance"], "ln2_variance", ModelBuilder.IntsAttribute("axes", -1))
            .Node("Add", ["variance", "eps"], ["variance_eps"], "ln2_eps").Node("Sqrt", ["variance_eps"], ["std"], "ln2_std")
            .Node("Div", ["centered", "std"], ["normed"], "ln2_div").Node("Mul", ["normed", "ln2_scale"], ["scaled"], "ln2_scale")
            .Node("Add", ["scaled", "ln2_bias"], ["ln2"], "ln2_shift");
        // MLP with GELU written out: 0.5·u·(1 + erf(u/√2)).
        b.Node("MatMul", ["ln2", "w_up"], ["up_mm"], "up").Node("Add", ["up_mm", "b_up"], ["u"], "up_bias")
            .Node("Div", ["u", "sqrt2"], ["u_scaled"], "gelu_div").Node("Erf", ["u_scaled"], ["erf"], "gelu_erf")
            .Node("Add", ["erf", "one"], ["erf1"], "gelu_add").Node("Mul", ["u", "erf1"], ["gelu_u"], "gelu_mul")
            .Node("Mul", ["gelu_u", "half"], ["gelu"], "gelu_half")
            .Node("MatMul", ["gelu", "w_down"], ["down_mm"], "down").Node("Add", ["down_mm", "b_down"], ["mlp"], "down_bias")
            .Node("Add", ["h1", "mlp"], ["h2"], "residual2");
        // Mean over the tokens, then the classifier.
        return b.Node("ReduceMean", ["h2"], ["pooled"], "pool", ModelBuilder.IntsAttribute("axes", 1), ModelBuilder.IntAttribute("keepdims", 0))
            .Node("MatMul", ["pooled", "w_cls"], ["cls_mm"], "classifier").Node("Add", ["cls_mm", "b_cls"], ["logits"], "classifier_bias")
            .Build();
    }

    /// <summary>Deterministic token features for <see cref="EncoderBlock"/>: [count, tokens, width] in about [-1.5, 1.5].</summary>
    public static float[] Samples(int count, int tokens = 8, int width = 16) =>
        Enumerable.Range(0, count * tokens * width).Select(i =>
        {
            var (sample, rest) = Math.DivRem(i, tokens * width);
            return (float)(Math.Sin((0.11 * rest * (1 + (sample % 7))) + sample) + (0.5 * Math.Cos(0.23 * i)));
        }).ToArray();

    private static ModelBuilder Matrix(this ModelBuilder b, string name, int rows, int columns, double scale = 0.3) =>
        b.Initializer(name, [rows, columns], ModelBuilder.Pattern(rows * columns, scale / Math.Sqrt(rows) * 2, phase: name.Length));

    private static ModelBuilder Vector(this ModelBuilder b, string name, int length, float center, double spread) =>
        b.Initializer(name, [length], ModelBuilder.Pattern(length, spread, phase: name.Length).Select(v => v + center).ToArray());

    private static TensorProto Scalar(string name, float value) => TensorData.FromArray<float>(name, [], [value]);
}
