using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization.Rules;

namespace Amct.Engine.Quantization;

/// <summary>
/// Builds a <see cref="QuantizationPlan"/> by running the op rules over a graph. Rules call back into it to quantize
/// tensors, tie tensors to shared factors, add weighted layers and fold activations; it keeps the bookkeeping
/// (union-find groups, aliases from folded activations) out of the rules.
/// </summary>
public sealed class PlanBuilder
{
    private readonly GraphProto _graph;
    private readonly GraphIndex _index;
    private readonly PlanOptions _options;
    private readonly HashSet<string> _graphOutputs;
    private readonly Dictionary<string, int> _types;

    private readonly List<WeightedLayer> _layers = [];
    private readonly List<SkippedLayer> _skipped = [];
    private readonly List<WeightOnlyLayer> _weightOnly = [];
    private readonly Dictionary<string, bool> _feedsLog = new(StringComparer.Ordinal);
    private readonly List<FoldedActivation> _folds = [];
    private readonly HashSet<string> _quantized = new(StringComparer.Ordinal);
    private readonly HashSet<string> _derived = new(StringComparer.Ordinal);
    private readonly HashSet<string> _ownOutputs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _parent = new(StringComparer.Ordinal);
    private readonly HashSet<string> _floatNodes = new(StringComparer.Ordinal);
    private readonly List<QuantizedPool> _pools = [];

    private PlanBuilder(GraphProto graph, PlanOptions options)
    {
        _graph = graph;
        _index = new GraphIndex(graph);
        _options = options;
        _graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        _types = ElementTypes.Infer(graph);
    }

    public ActivationMode Activation => _options.Activation;

    /// <summary>Plans the quantization of the main graph of a prepared model (opset ≥ 13, unique node names).</summary>
    public static QuantizationPlan Plan(GraphProto graph, PlanOptions options)
    {
        var builder = new PlanBuilder(graph, options);
        foreach (var phase in new[] { RulePhase.Anchor, RulePhase.Fold, RulePhase.Follower })
        {
            foreach (var node in graph.Node)
            {
                if (OpRules.For(node) is { } rule && rule.Phase == phase)
                {
                    rule.Apply(node, builder);
                }
            }
        }
        return builder.Build();
    }

    /// <summary>Lookups over the graph being planned (producers, consumers, constants).</summary>
    public GraphIndex Index => _index;

    public TensorProto? Constant(string tensor) => _index.Constant(tensor);

    public bool IsConstant(string tensor) => _index.Constant(tensor) is not null;

    /// <summary>True for float32 tensors (see <see cref="ElementTypes"/>); a tensor of unknown type is not.</summary>
    public bool IsFloat(string tensor) => _types.TryGetValue(tensor, out var type) && type == DataTypes.Float;

    public bool IsGraphOutput(string tensor) => _graphOutputs.Contains(tensor);

    public bool IsQuantized(string tensor) => _quantized.Contains(tensor);

    public bool IsSkipped(NodeProto node) =>
        _options.SkipLayers.Contains(node.Name) || _options.SkipOpTypes.Contains(node.OpType) || _floatNodes.Contains(node.Name)
        || _options.BalanceNodes.Contains(node.Name) || FeedsLog(node);

    /// <summary>
    /// Why a Log taking the node's output keeps it on float data (<see cref="LogInputGuard"/>), or null. Weight-only
    /// quantization keeps every activation float, so there the guard has nothing to guard.
    /// </summary>
    public string? WhyLogNeedsFloat(NodeProto node) =>
        _options.Activation == ActivationMode.None ? null : LogInputGuard.Why(node, _index);

    /// <summary>Whether a Log takes the node's output (<see cref="WhyLogNeedsFloat"/>).</summary>
    private bool FeedsLog(NodeProto node)
    {
        if (!_feedsLog.TryGetValue(node.Name, out var feeds))
        {
            feeds = WhyLogNeedsFloat(node) is not null;
            _feedsLog[node.Name] = feeds;
        }
        return feeds;
    }

    /// <summary>
    /// True when the tensor is read on the way to a Log (by the Log itself or by a node <see cref="LogInputGuard"/> keeps
    /// on float data). Such a tensor is never quantized, even for another consumer: its Q/DQ pair would feed every
    /// consumer, and the Log would see int8 steps after all (Silero VAD's STFT magnitude, also concatenated with the
    /// normalized log spectrum, lost its quiet bins that way and the whole branch after it drifted).
    /// </summary>
    public bool ReadOnLogPath(string tensor) => _index.Consumers(tensor).Any(c => c.OpType == "Log" || FeedsLog(c));

    /// <summary>Keeps a node in float because a neighbour it must share factors with is in float.</summary>
    public void KeepFloat(NodeProto node) => _floatNodes.Add(node.Name);

    /// <summary>
    /// True when the tensor comes from a layer kept in float (directly, or through a Relu/Clip after it): an op that
    /// must share factors with it (Concat) then stays float too, or the float layer's output would be quantized anyway.
    /// </summary>
    public bool ComesFromFloatLayer(string tensor)
    {
        var producer = _index.Producer(tensor);
        if (producer is { OpType: "Relu" or "Clip" } && producer.Input.Count > 0)
        {
            producer = _index.Producer(producer.Input[0]) ?? producer;
        }
        return producer is not null && OpRules.WeightedOpTypes.Contains(producer.OpType) && IsSkipped(producer);
    }

    public void Skip(NodeProto node, string reason) => _skipped.Add(new SkippedLayer(node.Name, node.OpType, reason));

    /// <summary>
    /// Registers a layer with a constant float weight where its rule's roles say, unless it is skipped or its tensors
    /// are not what the roles need (recorded with the reason). Returns whether the layer will be quantized.
    /// </summary>
    public bool TryAddWeightedLayer(NodeProto node, LayerRoles roles)
    {
        var weightInput = roles.Weight.Input;
        if (_options.BalanceNodes.Contains(node.Name))
        {
            return false;
        }
        if (IsSkipped(node))
        {
            Skip(node, UserSkipReason(node));
            return false;
        }
        if (node.Input.Count <= weightInput || Constant(node.Input[weightInput]) is not { } weight)
        {
            Skip(node, "its weight is not a constant");
            return false;
        }
        if (weight.DataType != DataTypes.Float)
        {
            Skip(node, $"its weight is {DataTypes.Name(weight.DataType)}, not float32");
            return false;
        }
        if (node.Input.Count <= roles.Activation || !IsFloat(node.Input[roles.Activation]))
        {
            Skip(node, "its input is not float32");
            return false;
        }
        if (Constant(node.Input[roles.Activation]) is not null)
        {
            // No data reaches it (e.g. every graph input is an initializer): it computes a constant, nothing to calibrate.
            Skip(node, "its input is a constant");
            return false;
        }
        string? bias = null;
        if (roles.Bias is { } biasRole && node.Input.Count > biasRole.Input && node.Input[biasRole.Input].Length > 0)
        {
            if (Constant(node.Input[biasRole.Input]) is { DataType: DataTypes.Float } biasTensor && biasTensor.Dims.Count(d => d != 1) <= 1)
            {
                bias = node.Input[biasRole.Input];
            }
            else if (!biasRole.StaysFloatIfNotConstant)
            {
                Skip(node, "its bias is not a constant float vector");
                return false;
            }
        }
        _layers.Add(new WeightedLayer(node.Name, node.OpType, node.Input[roles.Activation], node.Input[weightInput], bias,
            WeightAxis(node, roles.Weight), roles));
        return true;
    }

    /// <summary>
    /// Registers a layer whose activations must stay float (<paramref name="reason"/>) as weight-only: its constant float
    /// weights int8, its compute float (<see cref="WeightOnlyLayer"/>). It stays float instead, with the reason, when
    /// <see cref="PlanOptions.WeightOnlyFallback"/> is off, the user skipped it, or none of its weights is a constant.
    /// </summary>
    public void AddWeightOnly(NodeProto node, IReadOnlyList<WeightRole> weights, string reason)
    {
        if (_options.BalanceNodes.Contains(node.Name))
        {
            return;
        }
        if (_options.SkipLayers.Contains(node.Name) || _options.SkipOpTypes.Contains(node.OpType))
        {
            Skip(node, UserSkipReason(node));
            return;
        }
        var constant = weights
            .Where(w => node.Input.Count > w.Input && Constant(node.Input[w.Input]) is { DataType: DataTypes.Float })
            .Select(w => new WeightOnlyWeight(node.Input[w.Input], w.Input, WeightAxis(node, w)))
            .ToList();
        if (!_options.WeightOnlyFallback || constant.Count == 0)
        {
            Skip(node, reason);
            return;
        }
        _weightOnly.Add(new WeightOnlyLayer(node.Name, node.OpType, constant, reason));
    }

    private string UserSkipReason(NodeProto node) =>
        _options.SkipLayers.Contains(node.Name) ? "skipped by name" : $"op type {node.OpType} skipped";

    /// <summary>The weight's channel axis when the granularity settings (the layer's own, else its kind's) say per channel.</summary>
    private int? WeightAxis(NodeProto node, WeightRole weight)
    {
        var granularity = _options.LayerWeights.TryGetValue(node.Name, out var own) ? own
            : weight.Kind == WeightKind.ConvLike ? _options.ConvWeights : _options.MatMulWeights;
        return granularity == WeightGranularity.PerChannel && _options.PerChannelAllowed ? weight.ChannelAxis : null;
    }

    /// <summary>Quantizes a tensor that gets its own calibrated factors (unless tied to others by <see cref="Share"/>).</summary>
    public void QuantizeActivation(string tensor)
    {
        if (_options.Activation != ActivationMode.None && IsFloat(tensor) && !IsConstant(tensor) && !ReadOnLogPath(tensor))
        {
            _quantized.Add(tensor);
        }
    }

    /// <summary>Notes an average pool whose input is quantized (a record names it by node, as AMCT's does).</summary>
    public void AddPool(NodeProto node) => _pools.Add(new QuantizedPool(node.Name, node.OpType, node.Input[0], node.Output[0]));

    /// <summary>Quantizes an output of a quantized node, which a following Relu may fold into.</summary>
    public void QuantizeOutput(NodeProto node, int output)
    {
        QuantizeActivation(node.Output[output]);
        _ownOutputs.Add(node.Output[output]);
    }

    /// <summary>Quantizes a tensor whose range is covered by the tensors it shares factors with (not observed itself).</summary>
    public void QuantizeDerived(string tensor)
    {
        if (_options.Activation == ActivationMode.None || ReadOnLogPath(tensor))
        {
            return;
        }
        _quantized.Add(tensor);
        _derived.Add(tensor);
    }

    /// <summary>Ties two tensors to one set of factors.</summary>
    public void Share(string a, string b)
    {
        var rootA = Find(a);
        var rootB = Find(b);
        if (rootA != rootB)
        {
            _parent[rootB] = rootA;
        }
    }

    /// <summary>
    /// True when an activation node can disappear into its producer: asymmetric activations, the input is the
    /// quantized own output of its producer, the activation is its only consumer, and the input is neither a graph
    /// output nor tied to other tensors.
    /// </summary>
    public bool CanFold(NodeProto activation)
    {
        var input = activation.Input[0];
        return _options.Activation == ActivationMode.Asymmetric
            && _ownOutputs.Contains(input)
            && _index.Consumers(input).Count == 1
            && !IsGraphOutput(input)
            // A graph output gets no quantizer (it stays float for the caller), so nothing would clamp what the
            // removed activation cut: the negatives would reach the caller.
            && !IsGraphOutput(activation.Output[0])
            && !_parent.ContainsKey(input)
            && _parent.Values.All(p => p != input);
    }

    /// <summary>Folds the activation: its output replaces its input as the producer's quantized output.</summary>
    public void Fold(NodeProto activation)
    {
        var input = activation.Input[0];
        var output = activation.Output[0];
        _quantized.Remove(input);
        _ownOutputs.Remove(input);
        _quantized.Add(output);
        _ownOutputs.Add(output);
        _folds.Add(new FoldedActivation(activation.Name, activation.OpType, input, output));
    }

    private string Find(string tensor)
    {
        while (_parent.TryGetValue(tensor, out var parent))
        {
            tensor = parent;
        }
        return tensor;
    }

    private QuantizationPlan Build()
    {
        // An output quantized only so its producer fuses into an int8 kernel is pointless, and costs accuracy, when every
        // consumer stays float because it was skipped: a layer kept in float then computes on float inputs.
        foreach (var output in _ownOutputs.Where(o => !_parent.ContainsKey(o) && _parent.Values.All(p => p != o)).ToList())
        {
            var consumers = _index.Consumers(output);
            if (consumers.Count > 0 && consumers.All(IsSkipped))
            {
                _quantized.Remove(output);
                // A Relu folded into this output relied on its quantizer to clamp: without it the Relu must stay.
                _folds.RemoveAll(f => f.Output == output);
            }
        }

        // Graph order: graph inputs first, then node outputs as the nodes come.
        var order = _graph.Input.Select(i => i.Name).Concat(_graph.Node.SelectMany(n => n.Output)).ToList();
        var quantized = order.Where(_quantized.Contains).Distinct(StringComparer.Ordinal).ToList();
        var groups = quantized.GroupBy(Find, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<string>)g.ToList())
            .ToList();
        return new QuantizationPlan
        {
            Layers = _layers,
            Skipped = _skipped,
            WeightOnly = _weightOnly,
            Folds = _folds,
            QuantizedTensors = quantized,
            Groups = groups,
            ObservedTensors = quantized.Where(t => !_derived.Contains(t)).ToList(),
            Pools = _pools.Where(p => _quantized.Contains(p.Input)).ToList(),
        };
    }
}
