using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Amct.Qat.Interpreter;

/// <summary>One node's inputs (null for an omitted optional input) and attributes, as an op reads them.</summary>
internal sealed class NodeCall(NodeProto node, Tensor?[] inputs)
{
    public NodeProto Node => node;
    public Tensor In(int i) => inputs[i] ?? throw new InvalidDataException($"node '{node.Name}' ({node.OpType}): input {i} is missing");
    public Tensor? Optional(int i) => i < inputs.Length ? inputs[i] : null;
    public int Count => inputs.Length;
    public long Int(string name, long fallback) => NodeAttributes.GetInt(node, name, fallback);
    public float Float(string name, float fallback) => NodeAttributes.GetFloat(node, name, fallback);
    public long[]? Ints(string name) => NodeAttributes.GetInts(node, name);
    public string Text(string name, string fallback) => NodeAttributes.GetString(node, name, fallback);
}

/// <summary>
/// The ONNX operators the interpreter evaluates, each as torch functions so autograd differentiates the graph. The set
/// covers the conv nets the repository tests on (digits-cnn, SqueezeNet) and the common element-wise and shape ops;
/// a model with any other op is refused by name before training starts.
/// </summary>
internal static class NodeOps
{
    public static readonly IReadOnlyDictionary<string, Func<NodeCall, Tensor[]>> All =
        new Dictionary<string, Func<NodeCall, Tensor[]>>(StringComparer.Ordinal)
        {
            ["Conv"] = c => [Conv(c)],
            ["Gemm"] = c => [Gemm(c)],
            ["MatMul"] = c => [matmul(c.In(0), c.In(1))],
            ["Relu"] = c => [F.relu(c.In(0))],
            ["LeakyRelu"] = c => [F.leaky_relu(c.In(0), c.Float("alpha", 0.01f))],
            ["Sigmoid"] = c => [sigmoid(c.In(0))],
            ["Tanh"] = c => [tanh(c.In(0))],
            ["Clip"] = c => [Clip(c)],
            ["Add"] = c => [c.In(0) + c.In(1)],
            ["Sub"] = c => [c.In(0) - c.In(1)],
            ["Mul"] = c => [c.In(0) * c.In(1)],
            ["Div"] = c => [c.In(0) / c.In(1)],
            ["MaxPool"] = c => [Pool(c, max: true)],
            ["AveragePool"] = c => [Pool(c, max: false)],
            ["GlobalAveragePool"] = c => [c.In(0).mean(SpatialDims(c.In(0)), keepdim: true)],
            ["GlobalMaxPool"] = c => [c.In(0).amax(SpatialDims(c.In(0)), keepdim: true)],
            ["Concat"] = c => [cat(Enumerable.Range(0, c.Count).Select(c.In).ToArray(), (int)c.Int("axis", 0))],
            ["Flatten"] = c => [Flatten(c)],
            ["Reshape"] = c => [Reshape(c)],
            ["Transpose"] = c => [c.In(0).permute(c.Ints("perm") ?? Enumerable.Range(0, (int)c.In(0).dim()).Reverse().Select(i => (long)i).ToArray())],
            ["Squeeze"] = c => [Squeeze(c)],
            ["Unsqueeze"] = c => [Unsqueeze(c)],
            ["Softmax"] = c => [softmax(c.In(0), (int)c.Int("axis", -1))],
            ["Dropout"] = c => [c.In(0)],
            ["Identity"] = c => [c.In(0)],
            ["BatchNormalization"] = c => [BatchNorm(c)],
            ["Shape"] = c => [tensor(c.In(0).shape)],
            ["Constant"] = c => [TorchTensors.FromProto(
                NodeAttributes.Find(c.Node, "value")?.T ?? throw Unsupported(c, "a Constant without a tensor value"), c.Node.Name)],
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
            _ => throw Unsupported(c, $"{spatial}-d convolution"),
        };
    }

    private static Tensor Gemm(NodeCall c)
    {
        var a = c.Int("transA", 0) != 0 ? c.In(0).t() : c.In(0);
        var b = c.Int("transB", 0) != 0 ? c.In(1).t() : c.In(1);
        var y = matmul(a, b) * c.Float("alpha", 1f);
        return c.Optional(2) is { } bias ? y + (bias * c.Float("beta", 1f)) : y;
    }

    private static Tensor Clip(NodeCall c)
    {
        var x = c.In(0);
        if (c.Optional(1) is { } min)
        {
            x = maximum(x, min);
        }
        return c.Optional(2) is { } max ? minimum(x, max) : x;
    }

    private static Tensor Pool(NodeCall c, bool max)
    {
        var x = c.In(0);
        var kernel = c.Ints("kernel_shape") ?? throw Unsupported(c, "a pool without kernel_shape");
        if (kernel.Length != 2)
        {
            throw Unsupported(c, $"{kernel.Length}-d pooling");
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
            throw Unsupported(c, "AveragePool with asymmetric pads");
        }
        return F.avg_pool2d(x, kernel, strides, [pads[0], pads[1]], ceil, includePad);
    }

    /// <summary>Applies ONNX's explicit pads [begin..., end...] (auto_pad NOTSET only) with <paramref name="value"/>.</summary>
    private static Tensor PadInput(NodeCall c, Tensor x, int spatial, float value)
    {
        if (c.Text("auto_pad", "NOTSET") is not ("NOTSET" or "VALID"))
        {
            throw Unsupported(c, "auto_pad " + c.Text("auto_pad", ""));
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

    private static Tensor Flatten(NodeCall c)
    {
        var x = c.In(0);
        var axis = c.Int("axis", 1);
        axis = axis < 0 ? axis + x.dim() : axis;
        var outer = x.shape.Take((int)axis).Aggregate(1L, (p, d) => p * d);
        return x.reshape(outer, -1);
    }

    private static Tensor Reshape(NodeCall c)
    {
        var x = c.In(0);
        var shape = TorchTensors.Longs(c.In(1));
        if (c.Int("allowzero", 0) == 0)
        {
            for (var i = 0; i < shape.Length; i++)
            {
                shape[i] = shape[i] == 0 ? x.shape[i] : shape[i];
            }
        }
        return x.reshape(shape);
    }

    private static Tensor Squeeze(NodeCall c)
    {
        var axes = c.Optional(1) is { } a ? TorchTensors.Longs(a) : c.Ints("axes");
        var x = c.In(0);
        if (axes is null)
        {
            return x.squeeze();
        }
        foreach (var axis in axes.Select(v => v < 0 ? v + x.dim() : v).OrderDescending())
        {
            x = x.squeeze(axis);
        }
        return x;
    }

    private static Tensor Unsqueeze(NodeCall c)
    {
        var axes = c.Optional(1) is { } a ? TorchTensors.Longs(a) : c.Ints("axes") ?? throw Unsupported(c, "Unsqueeze without axes");
        var x = c.In(0);
        var rank = x.dim() + axes.Length;
        foreach (var axis in axes.Select(v => v < 0 ? v + rank : v).Order())
        {
            x = x.unsqueeze(axis);
        }
        return x;
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

    private static long[] SpatialDims(Tensor x) => Enumerable.Range(2, (int)x.dim() - 2).Select(d => (long)d).ToArray();

    private static long[] Ones(int n) => Enumerable.Repeat(1L, n).ToArray();

    private static NotSupportedException Unsupported(NodeCall c, string what) =>
        new($"node '{c.Node.Name}' ({c.Node.OpType}) uses {what}, which retraining does not support");
}
