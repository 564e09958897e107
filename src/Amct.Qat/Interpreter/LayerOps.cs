using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Amct.Qat.Interpreter;

/// <summary>The layers: convolution, fully connected, pooling and normalization.</summary>
internal static class LayerOps
{
    public static readonly IReadOnlyDictionary<string, Func<NodeCall, Tensor[]>> All =
        new Dictionary<string, Func<NodeCall, Tensor[]>>(StringComparer.Ordinal)
        {
            ["Conv"] = c => [Conv(c)],
            ["Gemm"] = c => [Gemm(c)],
            ["MatMul"] = c => [CheckedMatMul.Multiply(c.In(0), c.In(1))],
            ["Einsum"] = c => [einsum(c.Text("equation", ""), c.All.ToArray())],
            ["MaxPool"] = c => [Pool(c, max: true)],
            ["AveragePool"] = c => [Pool(c, max: false)],
            ["GlobalAveragePool"] = c => [c.In(0).mean(SpatialDims(c.In(0)), keepdim: true)],
            ["GlobalMaxPool"] = c => [c.In(0).amax(SpatialDims(c.In(0)), keepdim: true)],
            ["BatchNormalization"] = c => [BatchNorm(c)],
            ["LayerNormalization"] = LayerNorm,
        };

    private static Tensor Conv(NodeCall c)
    {
        var (x, w, b) = (c.In(0), c.In(1), c.Optional(2));
        var spatial = (int)w.dim() - 2;
        x = PadInput(c, x, spatial, 0);
        var strides = c.Ints("strides") ?? Ones(spatial);
        var dilations = c.Ints("dilations") ?? Ones(spatial);
        var groups = c.Int("group", 1);
        return spatial switch
        {
            1 => F.conv1d(x, w, b, strides[0], 0, dilations[0], groups),
            2 => F.conv2d(x, w, b, strides, [0, 0], dilations, groups),
            3 => F.conv3d(x, w, b, strides, [0, 0, 0], dilations, groups),
            _ => throw c.Unsupported($"{spatial}-d convolution"),
        };
    }

    private static Tensor Gemm(NodeCall c)
    {
        var a = c.Int("transA", 0) != 0 ? c.In(0).t() : c.In(0);
        var b = c.Int("transB", 0) != 0 ? c.In(1).t() : c.In(1);
        var y = CheckedMatMul.Multiply(a, b) * c.Float("alpha", 1f);
        return c.Optional(2) is { } bias ? y + (bias * c.Float("beta", 1f)) : y;
    }

    private static Tensor Pool(NodeCall c, bool max)
    {
        var x = c.In(0);
        var kernel = c.Ints("kernel_shape") ?? throw c.Unsupported("a pool without kernel_shape");
        if (kernel.Length != 2)
        {
            throw c.Unsupported($"{kernel.Length}-d pooling");
        }
        var strides = c.Ints("strides") ?? Ones(2);
        var ceil = c.Int("ceil_mode", 0) != 0;
        var pads = c.Ints("pads") ?? new long[4];
        var symmetric = pads[0] == pads[2] && pads[1] == pads[3];
        if (max)
        {
            // Asymmetric padding: pad with -inf first, which a max never picks.
            if (!symmetric)
            {
                x = PadInput(c, x, 2, float.NegativeInfinity);
                pads = new long[4];
            }
            return F.max_pool2d(x, kernel, strides, [pads[0], pads[1]], c.Ints("dilations") ?? Ones(2), ceil);
        }
        var includePad = c.Int("count_include_pad", 0) != 0;
        if (!symmetric)
        {
            throw c.Unsupported("AveragePool with asymmetric pads");
        }
        return F.avg_pool2d(x, kernel, strides, [pads[0], pads[1]], ceil, includePad);
    }

    /// <summary>Applies ONNX's explicit pads [begin..., end...] (auto_pad NOTSET only) with <paramref name="value"/>.</summary>
    private static Tensor PadInput(NodeCall c, Tensor x, int spatial, float value)
    {
        if (c.Text("auto_pad", "NOTSET") is not ("NOTSET" or "VALID"))
        {
            throw c.Unsupported("auto_pad " + c.Text("auto_pad", ""));
        }
        var pads = c.Ints("pads");
        if (pads is null || pads.All(p => p == 0))
        {
            return x;
        }
        // torch's pad lists the last dimension first: (left_last, right_last, left_prev, right_prev, ...).
        var torchPads = new long[2 * spatial];
        for (var d = 0; d < spatial; d++)
        {
            torchPads[2 * (spatial - 1 - d)] = pads[d];
            torchPads[(2 * (spatial - 1 - d)) + 1] = pads[spatial + d];
        }
        return F.pad(x, torchPads, PaddingModes.Constant, value);
    }

    private static Tensor BatchNorm(NodeCall c)
    {
        var x = c.In(0);
        var shape = new long[x.dim()];
        Array.Fill(shape, 1L);
        shape[1] = -1;
        var (scale, bias, mean, variance) = (c.In(1).reshape(shape), c.In(2).reshape(shape), c.In(3).reshape(shape), c.In(4).reshape(shape));
        return ((x - mean) / sqrt(variance + c.Float("epsilon", 1e-5f)) * scale) + bias;
    }

    /// <summary>Normalizes over the axes from <c>axis</c> to the last; outputs Y and the optional mean and 1/σ.</summary>
    private static Tensor[] LayerNorm(NodeCall c)
    {
        var x = c.In(0);
        var first = NodeCall.Axis(c.Int("axis", -1), x.dim());
        var dims = Enumerable.Range((int)first, (int)(x.dim() - first)).Select(d => (long)d).ToArray();
        var mean = x.mean(dims, keepdim: true);
        var centered = x - mean;
        var inverseStd = rsqrt(centered.square().mean(dims, keepdim: true) + c.Float("epsilon", 1e-5f));
        var y = centered * inverseStd * c.In(1);
        return [c.Optional(2) is { } bias ? y + bias : y, mean, inverseStd];
    }

    private static long[] SpatialDims(Tensor x) => Enumerable.Range(2, (int)x.dim() - 2).Select(d => (long)d).ToArray();

    private static long[] Ones(int n) => Enumerable.Repeat(1L, n).ToArray();
}
