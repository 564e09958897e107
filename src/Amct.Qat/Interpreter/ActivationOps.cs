using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Amct.Qat.Interpreter;

/// <summary>Activation functions, Softmax included.</summary>
internal static class ActivationOps
{
    public static readonly IReadOnlyDictionary<string, Func<NodeCall, Tensor[]>> All =
        new Dictionary<string, Func<NodeCall, Tensor[]>>(StringComparer.Ordinal)
        {
            ["Relu"] = c => [F.relu(c.In(0))],
            ["LeakyRelu"] = c => [F.leaky_relu(c.In(0), c.Float("alpha", 0.01f))],
            ["PRelu"] = c => [where(c.In(0) < 0, c.In(0) * c.In(1), c.In(0))],
            ["Elu"] = c => [where(c.In(0) > 0, c.In(0), c.Float("alpha", 1f) * c.In(0).exp().sub(1))],
            ["Sigmoid"] = c => [sigmoid(c.In(0))],
            ["HardSigmoid"] = c => [HardSigmoid(c.In(0), c.Float("alpha", 0.2f), c.Float("beta", 0.5f))],
            ["HardSwish"] = c => [c.In(0) * HardSigmoid(c.In(0), 1f / 6, 0.5f)],
            ["Tanh"] = c => [tanh(c.In(0))],
            ["Softplus"] = c => [F.softplus(c.In(0))],
            ["Gelu"] = c => [Gelu(c)],
            ["Clip"] = c => [Clip(c)],
            ["Softmax"] = c => [Softmax(c, log: false)],
            ["LogSoftmax"] = c => [Softmax(c, log: true)],
        };

    private static Tensor HardSigmoid(Tensor x, float alpha, float beta) => (x * alpha + beta).clamp(0, 1);

    /// <summary>x·Φ(x) with the exact normal CDF, or its tanh approximation when <c>approximate="tanh"</c>.</summary>
    private static Tensor Gelu(NodeCall c)
    {
        var x = c.In(0);
        return c.Text("approximate", "none") switch
        {
            "none" => 0.5 * x * (1 + (x * Math.Sqrt(0.5)).erf()),
            "tanh" => 0.5 * x * (1 + tanh(Math.Sqrt(2 / Math.PI) * (x + (0.044715 * x.pow(3))))),
            var other => throw c.Unsupported($"approximate=\"{other}\""),
        };
    }

    private static Tensor Clip(NodeCall c)
    {
        var x = c.In(0);
        // Opset 11 moved min and max from attributes to inputs.
        if (c.Optional(1) is { } min)
        {
            x = maximum(x, min);
        }
        else if (c.Has("min"))
        {
            x = x.clamp_min(c.Float("min", 0));
        }
        if (c.Optional(2) is { } max)
        {
            return minimum(x, max);
        }
        return c.Has("max") ? x.clamp_max(c.Float("max", 0)) : x;
    }

    /// <summary>Opset 13 normalizes along one axis (default the last); before it, over all axes from <c>axis</c> (default 1) on.</summary>
    private static Tensor Softmax(NodeCall c, bool log)
    {
        var x = c.In(0);
        if (c.Opset >= 13)
        {
            var axis = (int)c.Int("axis", -1);
            return log ? F.log_softmax(x, axis) : softmax(x, axis);
        }
        var first = NodeCall.Axis(c.Int("axis", 1), x.dim());
        var flat = x.reshape(x.shape.Take((int)first).Aggregate(1L, (p, d) => p * d), -1);
        return (log ? F.log_softmax(flat, 1) : softmax(flat, 1)).reshape(x.shape);
    }
}
