using Amct.Engine.Onnx;

namespace Amct.Engine.Graph;

/// <summary>A BatchNormalization folded into the convolution that fed it (both by layer name).</summary>
public sealed record FoldedBatchNormalization(string Convolution, string BatchNormalization);

/// <summary>
/// AMCT's Conv+BatchNormalization fusion (<c>do_fusion</c>): an inference-mode BatchNormalization that is the only
/// reader of a Conv or ConvTranspose output is folded into that convolution's weight and bias, and removed. Per
/// output channel c, with s = scale[c] / sqrt(var[c] + epsilon):
/// <c>W'[c] = W[c]·s</c> and <c>b'[c] = (b[c] − mean[c])·s + B[c]</c> (b = 0 when the convolution has no bias).
/// Quantizing the folded weight is what the int8 kernel will run, so folding first keeps the weight scales honest.
/// The convolution takes over the BatchNormalization's output name, so the nodes after it are untouched.
/// Arithmetic is in double, results are stored as float32.
/// </summary>
public static class ConvBatchNormFolding
{
    /// <param name="graph">The graph to rewrite in place.</param>
    /// <param name="skipLayers">Convolution layer names not to fold into (AMCT <c>skip_fusion_layers</c>).</param>
    /// <param name="source">The model file, named in errors.</param>
    public static IReadOnlyList<FoldedBatchNormalization> Apply(GraphProto graph, IReadOnlySet<string> skipLayers, string source)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(skipLayers);
        CheckSkipLayersExist(graph, skipLayers, source);

        var names = new NameAllocator(graph);
        var folded = new List<FoldedBatchNormalization>();
        foreach (var batchNorm in graph.Node.Where(IsBatchNormalization).ToList())
        {
            // Each fold changes producers and weight sharing, so every candidate is judged on the current graph.
            var pair = Match(graph, batchNorm, skipLayers, source);
            if (pair is not null)
            {
                Fold(graph, pair, names, source);
                folded.Add(new FoldedBatchNormalization(LayerNames.Of(pair.Convolution), LayerNames.Of(batchNorm)));
            }
        }
        return folded;
    }

    private static void CheckSkipLayersExist(GraphProto graph, IReadOnlySet<string> skipLayers, string source)
    {
        var convolutions = graph.Node.Where(IsConvolution).Select(LayerNames.Of).ToHashSet(StringComparer.Ordinal);
        var unknown = skipLayers.Where(name => !convolutions.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new AmctException(ErrorCodes.SkipFusionLayerUnknown, source,
                $"skip_fusion_layers names {string.Join(", ", unknown.Select(n => $"'{n}'"))}, which is not a Conv or " +
                "ConvTranspose node of the model. List convolution node names as they appear in the prepared model " +
                "(unnamed nodes are named {op_type}_{index}), or remove the entry.");
        }
    }

    /// <summary>A convolution and the BatchNormalization after it, with the constant tensors the fold needs.</summary>
    private sealed record Pair(
        NodeProto Convolution,
        NodeProto BatchNorm,
        TensorProto Weight,
        TensorProto? Bias,
        float[] Scale,
        float[] Shift,
        float[] Mean,
        float[] Variance,
        IReadOnlyDictionary<string, int> Uses);

    private static Pair? Match(GraphProto graph, NodeProto batchNorm, IReadOnlySet<string> skipLayers, string source)
    {
        // Inference mode only: one output (the running statistics outputs are for training) and, from opset 14,
        // training_mode = 0.
        if (batchNorm.Input.Count != 5 || batchNorm.Input.Any(i => i.Length == 0)
            || batchNorm.Output.Count == 0 || batchNorm.Output[0].Length == 0 || batchNorm.Output.Skip(1).Any(o => o.Length > 0)
            || NodeAttributes.GetInt(batchNorm, "training_mode", 0) != 0)
        {
            return null;
        }
        var index = new GraphIndex(graph);
        var uses = ValueUses.Count(graph);
        var convolutionOutput = batchNorm.Input[0];
        var convolution = index.Producer(convolutionOutput);
        if (convolution is null || !IsConvolution(convolution) || convolution.Output.Count != 1
            || uses.GetValueOrDefault(convolutionOutput) != 1 || skipLayers.Contains(LayerNames.Of(convolution))
            || convolution.Input.Count < 2)
        {
            return null;
        }
        var weight = index.Constant(convolution.Input[1]);
        var hasBias = convolution.Input.Count > 2 && convolution.Input[2].Length > 0;
        var bias = hasBias ? index.Constant(convolution.Input[2]) : null;
        if (weight is not { DataType: DataTypes.Float } || weight.Dims.Count < 2 || (hasBias && bias is not { DataType: DataTypes.Float }))
        {
            return null;
        }
        var parameters = batchNorm.Input.Skip(1).Select(index.Constant).ToList();
        if (parameters.Any(p => p is not { DataType: DataTypes.Float }))
        {
            return null;
        }
        var channels = OutputChannels(convolution, weight);
        var values = parameters.Select(p => TensorData.ToArray<float>(p!, source)).ToList();
        var biasValues = bias is null ? null : TensorData.ToArray<float>(bias, source);
        if (channels is null || values.Any(v => v.Length != channels) || (biasValues is not null && biasValues.Length != channels))
        {
            throw new AmctException(ErrorCodes.BatchNormalizationMismatch, source,
                $"BatchNormalization '{LayerNames.Of(batchNorm)}' has {values[0].Length} channels but the " +
                $"{convolution.OpType} '{LayerNames.Of(convolution)}' before it has weight dims " +
                $"{TensorData.FormatDims(weight.Dims)} (group {NodeAttributes.GetInt(convolution, "group", 1)})" +
                (biasValues is null ? "" : $" and {biasValues.Length} biases") +
                ". The model is inconsistent; re-export it, or list the convolution in skip_fusion_layers.");
        }
        var epsilon = (double)NodeAttributes.GetFloat(batchNorm, "epsilon", 1e-5f);
        if (values[3].Any(v => !(v + epsilon > 0) || double.IsInfinity(v)))
        {
            throw new AmctException(ErrorCodes.BatchNormalizationMismatch, source,
                $"BatchNormalization '{LayerNames.Of(batchNorm)}' has a variance that is negative, NaN or infinite " +
                "(plus epsilon not above 0), so its output is not a number. Fix or re-export the model.");
        }
        return new Pair(convolution, batchNorm, weight, bias, values[0], values[1], values[2], values[3], uses);
    }

    /// <summary>
    /// Output channels of a convolution: Conv weights are [M, C/group, k…]; ConvTranspose weights are
    /// [C, M/group, k…], so M = group · dims[1]. Null when the weight cannot belong to the node.
    /// </summary>
    private static long? OutputChannels(NodeProto convolution, TensorProto weight)
    {
        var group = NodeAttributes.GetInt(convolution, "group", 1);
        if (convolution.OpType == "Conv")
        {
            return weight.Dims[0];
        }
        return group > 0 && weight.Dims[0] % group == 0 ? group * weight.Dims[1] : null;
    }

    private static void Fold(GraphProto graph, Pair pair, NameAllocator names, string source)
    {
        var epsilon = (double)NodeAttributes.GetFloat(pair.BatchNorm, "epsilon", 1e-5f);
        var factors = new double[pair.Scale.Length];
        var biases = new float[pair.Scale.Length];
        var oldBias = pair.Bias is null ? new float[pair.Scale.Length] : TensorData.ToArray<float>(pair.Bias, source);
        for (var c = 0; c < factors.Length; c++)
        {
            factors[c] = pair.Scale[c] / Math.Sqrt(pair.Variance[c] + epsilon);
            biases[c] = (float)(((double)oldBias[c] - pair.Mean[c]) * factors[c] + pair.Shift[c]);
        }

        var weights = TensorData.ToArray<float>(pair.Weight, source);
        var channelOf = ChannelOfWeightElement(pair.Convolution, pair.Weight);
        var folded = new float[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            folded[i] = (float)(weights[i] * factors[channelOf(i)]);
        }

        var convolution = pair.Convolution;
        var layer = LayerNames.Of(convolution);
        convolution.Input[1] = Store(graph, pair, convolution.Input[1], pair.Weight.Dims.ToArray(), folded, names, $"{layer}_weight_folded");
        var biasName = convolution.Input.Count > 2 ? convolution.Input[2] : "";
        var newBias = Store(graph, pair, biasName, [biases.Length], biases, names, $"{layer}_bias_folded");
        if (convolution.Input.Count > 2)
        {
            convolution.Input[2] = newBias;
        }
        else
        {
            convolution.Input.Add(newBias);
        }

        // The convolution now produces the normalized value under the BatchNormalization's output name.
        var oldOutput = convolution.Output[0];
        convolution.Output[0] = pair.BatchNorm.Output[0];
        // Found by reference: protobuf's Remove would take the first node merely equal to it.
        var position = graph.Node.Select((node, i) => (node, i)).First(n => ReferenceEquals(n.node, pair.BatchNorm)).i;
        graph.Node.RemoveAt(position);
        foreach (var stale in graph.ValueInfo.Where(v => v.Name == oldOutput).ToList())
        {
            graph.ValueInfo.Remove(stale);
        }
    }

    /// <summary>
    /// Stores new values for a weight or bias. An initializer only this convolution reads is overwritten under its
    /// own name; a shared one (or a Constant node's value, or a graph input's default) is left as it is for its
    /// other readers and the values go to a new initializer. Returns the name the convolution should read.
    /// </summary>
    private static string Store(GraphProto graph, Pair pair, string name, long[] dims, float[] values, NameAllocator names, string hint)
    {
        var position = name.Length == 0 ? -1 : graph.Initializer.ToList().FindIndex(t => t.Name == name);
        var exclusive = position >= 0 && pair.Uses.GetValueOrDefault(name) == 1 && graph.Input.All(i => i.Name != name);
        if (exclusive)
        {
            graph.Initializer[position] = TensorData.FromArray<float>(name, dims, values);
            return name;
        }
        var fresh = names.Fresh(hint);
        graph.Initializer.Add(TensorData.FromArray<float>(fresh, dims, values));
        return fresh;
    }

    /// <summary>Maps a flat weight index to the output channel that element contributes to.</summary>
    private static Func<int, long> ChannelOfWeightElement(NodeProto convolution, TensorProto weight)
    {
        var dims = weight.Dims;
        var spatial = dims.Skip(2).Aggregate(1L, (a, b) => a * b);
        if (convolution.OpType == "Conv")
        {
            var perChannel = dims[1] * spatial;
            return i => i / perChannel;
        }
        // ConvTranspose: element [ci, j, …] belongs to group g = ci / (C/group) and feeds channel g·(M/group) + j.
        var group = NodeAttributes.GetInt(convolution, "group", 1);
        var inputsPerGroup = dims[0] / group;
        var outputsPerGroup = dims[1];
        return i =>
        {
            var inputChannel = i / (outputsPerGroup * spatial);
            var j = i / spatial % outputsPerGroup;
            return inputChannel / inputsPerGroup * outputsPerGroup + j;
        };
    }

    private static bool IsDefaultDomain(NodeProto node) => node.Domain is "" or "ai.onnx";

    private static bool IsBatchNormalization(NodeProto node) => IsDefaultDomain(node) && node.OpType == "BatchNormalization";

    private static bool IsConvolution(NodeProto node) => IsDefaultDomain(node) && node.OpType is "Conv" or "ConvTranspose";
}
