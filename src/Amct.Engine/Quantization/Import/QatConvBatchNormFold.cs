using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Import;

/// <summary>
/// Folds the per-channel arithmetic a QAT Conv+BatchNormalization leaves after its convolution into that convolution,
/// keeping the trained weight integers. PyTorch's fused QAT ConvBn (torch.ao.nn.intrinsic.qat) trains the weight
/// already scaled by the BatchNormalization factor f = γ/√(var+ε) and exports, in eval mode,
/// <c>Conv(x, DQ(Q(W·f)), 0) → Div(f) → Add(b) → BatchNormalization(γ, β, μ, var)</c> (the Add only when the conv
/// has a bias). Per output channel the chain is y = r·conv + t with r = f/f = 1 and t = f·(b − μ) + β, so the
/// convolution with its trained weight and bias t computes the same thing, and ONNX Runtime fuses it into one int8
/// kernel instead of running Div, Add and BatchNormalization in float between the int8 conv and its quantizer.
/// Any chain of Div, Mul, Add, Sub (by per-channel or scalar constants) and inference-mode BatchNormalization after a
/// trained Conv is folded the same way; where r is not 1 (a BatchNormalization the weight was not trained scaled by)
/// the trained integers are kept and their scales multiplied by r. A chain stops at a tensor the export quantized
/// (its trained factors belong to it) and at a value with more than one reader.
/// </summary>
internal static class QatConvBatchNormFold
{
    /// <summary>How far from 1 the chain's factor may be and still leave the trained scales as they are (float rounding of γ/σ ÷ γ/σ).</summary>
    private const double UnitTolerance = 1e-5;

    /// <summary>Folds every such chain in <paramref name="graph"/>; returns one report line per fold.</summary>
    /// <param name="weights">The trained weights by the float weight's name; a weight whose scales change is replaced.</param>
    /// <param name="activations">The tensors the export quantized (a chain never folds past one).</param>
    public static List<string> Apply(GraphProto graph, Dictionary<string, TrainedWeight> weights,
        IReadOnlyDictionary<string, ActivationParams> activations, string source)
    {
        var changes = new List<string>();
        foreach (var conv in graph.Node.Where(n => n is { OpType: "Conv", Domain: "" or "ai.onnx" } && n.Input.Count >= 2).ToList())
        {
            var index = new GraphIndex(graph);
            if (!weights.TryGetValue(conv.Input[1], out var trained) || index.Constant(conv.Input[1]) is not { DataType: DataTypes.Float } weight
                || Chain(graph, index, conv, weight, activations, source) is not { } chain)
            {
                continue;
            }
            changes.Add(Fold(graph, conv, weight, trained, chain, weights));
        }
        return changes;
    }

    /// <summary>The nodes after <paramref name="conv"/> that fold into it, and the per-channel y = r·conv + t they compute.</summary>
    private sealed record AffineChain(List<NodeProto> Nodes, double[] Scale, double[] Shift);

    private static AffineChain? Chain(GraphProto graph, GraphIndex index, NodeProto conv, TensorProto weight,
        IReadOnlyDictionary<string, ActivationParams> activations, string source)
    {
        var channels = (int)weight.Dims[0];
        var rank = weight.Dims.Count;
        var scale = Enumerable.Repeat(1.0, channels).ToArray();
        var shift = new double[channels];
        if (conv.Input.Count > 2 && conv.Input[2].Length > 0)
        {
            if (index.Constant(conv.Input[2]) is not { DataType: DataTypes.Float } bias || PerChannel(bias, channels, 1, source) is not { } b)
            {
                return null;
            }
            shift = b;
        }
        var nodes = new List<NodeProto>();
        var value = conv.Output[0];
        while (!activations.ContainsKey(value) && graph.Output.All(o => o.Name != value)
            && index.Consumers(value) is [{ Domain: "" or "ai.onnx" } next] && next.Output.Count >= 1)
        {
            if (!Absorb(next, value, index, channels, rank, scale, shift, source))
            {
                break;
            }
            nodes.Add(next);
            value = next.Output[0];
        }
        return nodes.Count == 0 ? null : new AffineChain(nodes, scale, shift);
    }

    /// <summary>Applies <paramref name="node"/> to y = scale·conv + shift when it is per-channel affine in <paramref name="value"/>.</summary>
    private static bool Absorb(NodeProto node, string value, GraphIndex index, int channels, int rank, double[] scale, double[] shift, string source)
    {
        if (node.OpType == "BatchNormalization")
        {
            if (node.Input.Count != 5 || node.Input[0] != value || node.Output.Skip(1).Any(o => o.Length > 0)
                || NodeAttributes.GetInt(node, "training_mode", 0) != 0)
            {
                return false;
            }
            var parameters = node.Input.Skip(1).Select(i => index.Constant(i) is { DataType: DataTypes.Float } t ? PerChannel(t, channels, 1, source) : null).ToList();
            if (parameters.Any(p => p is null))
            {
                return false;
            }
            var (gamma, beta, mean, variance) = (parameters[0]!, parameters[1]!, parameters[2]!, parameters[3]!);
            var epsilon = (double)NodeAttributes.GetFloat(node, "epsilon", 1e-5f);
            if (variance.Any(v => !(v + epsilon > 0) || double.IsInfinity(v)))
            {
                return false;
            }
            for (var c = 0; c < channels; c++)
            {
                var factor = gamma[c] / Math.Sqrt(variance[c] + epsilon);
                scale[c] *= factor;
                shift[c] = (shift[c] - mean[c]) * factor + beta[c];
            }
            return true;
        }
        if (node.OpType is not ("Div" or "Mul" or "Add" or "Sub") || node.Input.Count != 2 || node.Output.Count != 1)
        {
            return false;
        }
        // Div and Sub are affine only with the convolution's value first; Mul and Add either way round.
        var other = node.Input[0] == value ? node.Input[1] : node.OpType is "Mul" or "Add" && node.Input[1] == value ? node.Input[0] : null;
        if (other is null || other == value || index.Constant(other) is not { DataType: DataTypes.Float } constant
            || PerChannel(constant, channels, rank, source) is not { } k)
        {
            return false;
        }
        for (var i = 0; i < channels; i++)
        {
            (scale[i], shift[i]) = node.OpType switch
            {
                "Div" => (scale[i] / k[i], shift[i] / k[i]),
                "Mul" => (scale[i] * k[i], shift[i] * k[i]),
                "Add" => (scale[i], shift[i] + k[i]),
                _ => (scale[i], shift[i] - k[i]),
            };
        }
        return scale.All(double.IsFinite) && shift.All(double.IsFinite);
    }

    /// <summary>
    /// A constant's value per output channel: one value for all, or one per channel lying along axis 1 of a rank
    /// <paramref name="rank"/> output (numpy broadcasting aligns dims from the right: [C,1,1] or [1,C,1,1] for 2-D
    /// convolutions). <paramref name="rank"/> 1 reads a plain [C] vector (BatchNormalization's parameters, a bias).
    /// </summary>
    private static double[]? PerChannel(TensorProto constant, int channels, int rank, string source)
    {
        var values = TensorData.ToDoubles(constant, source);
        if (values.Length == 1)
        {
            return Enumerable.Repeat(values[0], channels).ToArray();
        }
        var dims = constant.Dims.ToArray();
        if (values.Length != channels || dims.Length > rank)
        {
            return null;
        }
        var channelAxis = rank == 1 ? 0 : 1 - (rank - dims.Length);
        return channelAxis >= 0 && dims[channelAxis] == channels ? values : null;
    }

    private static string Fold(GraphProto graph, NodeProto conv, TensorProto weight, TrainedWeight trained, AffineChain chain,
        Dictionary<string, TrainedWeight> weights)
    {
        var names = new NameAllocator(graph);
        var layer = LayerNames.Of(conv);
        var steps = string.Join(" → ", chain.Nodes.Select(n => $"{n.OpType} '{LayerNames.Of(n)}'"));
        string weightNote;
        if (chain.Scale.All(r => Math.Abs(r - 1) <= UnitTolerance))
        {
            weightNote = "its trained weight integers and scales are kept as they are";
        }
        else if (trained.Axis is 0 && chain.Scale.All(r => r > 0))
        {
            var scales = trained.Scales.Select((s, c) => (float)(s * chain.Scale[c])).ToArray();
            var channelSize = trained.Values.Length / scales.Length;
            var values = trained.Values.Select((q, i) => q * scales[i / channelSize]).ToArray();
            conv.Input[1] = Store(graph, names, $"{layer}_weight_folded", weight.Dims.ToArray(), values);
            weights[conv.Input[1]] = trained with { Scales = scales };
            weightNote = "its trained weight integers are kept, their per-channel scales multiplied by the chain's factor";
        }
        else
        {
            var values = TensorData.ToArray<float>(weight).Select((w, i) => (float)(w * chain.Scale[i / (trained.Values.Length / chain.Scale.Length)])).ToArray();
            conv.Input[1] = Store(graph, names, $"{layer}_weight_folded", weight.Dims.ToArray(), values);
            weights[conv.Input[1]] = trained; // no longer what it quantizes to: the weights stage says it is quantized again
            weightNote = "its weight is scaled by the chain's factor (per tensor, or a factor ≤ 0) and quantized again";
        }
        var bias = Store(graph, names, $"{layer}_bias_folded", [chain.Shift.Length], chain.Shift.Select(t => (float)t).ToArray());
        if (conv.Input.Count > 2)
        {
            conv.Input[2] = bias;
        }
        else
        {
            conv.Input.Add(bias);
        }
        // The convolution takes over the chain's output name, so the nodes after it (and its trained factors) are untouched.
        var stale = chain.Nodes.Select(n => n.Input[0]).Append(conv.Output[0]).ToHashSet(StringComparer.Ordinal);
        conv.Output[0] = chain.Nodes[^1].Output[0];
        foreach (var node in chain.Nodes)
        {
            // By reference: protobuf's Remove would take the first node merely equal to it.
            graph.Node.RemoveAt(graph.Node.Select((n, i) => (n, i)).First(p => ReferenceEquals(p.n, node)).i);
        }
        foreach (var info in graph.ValueInfo.Where(v => stale.Contains(v.Name)).ToList())
        {
            graph.ValueInfo.Remove(info);
        }
        return $"QAT Conv+BatchNormalization: {steps} folded into Conv '{layer}' (as ONNX Runtime's fused int8 conv runs it): " +
            $"{weightNote}; the bias is the chain's per-channel offset";
    }

    private static string Store(GraphProto graph, NameAllocator names, string hint, long[] dims, float[] values)
    {
        var name = names.Fresh(hint);
        graph.Initializer.Add(TensorData.FromArray<float>(name, dims, values));
        return name;
    }
}
