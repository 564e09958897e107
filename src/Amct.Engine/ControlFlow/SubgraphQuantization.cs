using Amct.Engine.Calibration;
using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Rules;

namespace Amct.Engine.ControlFlow;

/// <summary>The settings subgraph quantization shares with the main graph's.</summary>
/// <param name="PlanOptions">Plan options for a graph (per-layer settings are looked up in it).</param>
/// <param name="MethodFor">The range method of a tensor.</param>
/// <param name="Activation">Asymmetric or symmetric activations.</param>
/// <param name="KeepHistograms">Whether the range methods need histograms.</param>
/// <param name="WeightBits">Weight bit width.</param>
/// <param name="SignedActivations">Store activations as int8 rather than uint8.</param>
/// <param name="WeightRangeSearch">Search each weight channel's clip (<see cref="Quantization.WeightRangeSearch"/>).</param>
public sealed record SubgraphOptions(Func<GraphProto, PlanOptions> PlanOptions, Func<string, IRangeMethod> MethodFor,
    ActivationMode Activation, bool KeepHistograms, int WeightBits = 8, bool SignedActivations = false,
    bool WeightRangeSearch = false);

/// <summary>One If branch quantized: where it is, its plan, factors and weights, and the samples that reached it.</summary>
public sealed record QuantizedSubgraph(string Location, QuantizationPlan Plan, IReadOnlyList<TensorFactors> Factors,
    IReadOnlyDictionary<string, QuantizedWeights> Weights, long Samples)
{
    public IReadOnlyDictionary<string, ActivationParams> Parameters =>
        Factors.ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);
}

/// <summary>A branch as written into the model: the If node (by name), its attribute and the quantized graph.</summary>
public sealed record WrittenBranch(string Owner, string Attribute, GraphProto Graph);

/// <summary>What subgraph quantization did: the branches quantized and the weighted layers left in float, with why.</summary>
public sealed record SubgraphOutcome(IReadOnlyList<QuantizedSubgraph> Quantized, IReadOnlyList<SkippedLayer> KeptFloat)
{
    public static SubgraphOutcome None { get; } = new([], []);

    /// <summary>The main-graph If branches written, so a rebuilt main graph (the fallback's) can take them again.</summary>
    public IReadOnlyList<WrittenBranch> Written { get; init; } = [];

    /// <summary>Layers with int8 weights and activations.</summary>
    public int LayerCount => Quantized.Sum(q => q.Plan.Layers.Count);

    /// <summary>Layers with int8 weights computed in float (<see cref="WeightOnlyLayer"/>).</summary>
    public int WeightOnlyCount => Quantized.Sum(q => q.Plan.WeightOnly.Count);
}

/// <summary>
/// Quantizes the weighted layers inside If branches, calibrated on the values that reach them: the float model runs
/// over the calibration batches with every outer value a branch reads (and the If condition) observed; the batches
/// whose condition selects a branch become that branch's calibration data; the branch, made a model of its own
/// (<see cref="BranchModel"/>), is planned, calibrated and written in QDQ form as a main graph would be, and put
/// back. Nested Ifs are handled the same way inside the branch. Weighted layers in a Loop or Scan body, whose
/// inputs change every iteration, and in a branch no sample took, stay float with the reason.
/// </summary>
public static class SubgraphQuantization
{
    /// <summary>Whether any subgraph of the graph holds a weighted layer (a reason to quantize a model whose main
    /// graph has none).</summary>
    public static bool HoldsWeightedLayers(GraphProto graph) =>
        graph.Node.SelectMany(Subgraphs).Any(s => WeightedNodes(s).Any());

    /// <param name="floatModel">The prepared float model (not changed).</param>
    /// <param name="target">The model to write into: the float model or its main-graph QDQ form; its control-flow
    /// nodes have the float model's names and read the same outer values.</param>
    /// <param name="options">Settings.</param>
    /// <param name="batches">Calibration batches for the float model's inputs.</param>
    /// <param name="source">The model file, for errors.</param>
    public static SubgraphOutcome Apply(ModelProto floatModel, ModelProto target, SubgraphOptions options,
        IEnumerable<IReadOnlyDictionary<string, TensorProto>> batches, string source)
    {
        ArgumentNullException.ThrowIfNull(floatModel);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var taken = AllNames(target);
        var written = new List<WrittenBranch>();
        var outcome = Quantize(floatModel, target, options, batches, source, taken, written);
        if (outcome.Quantized.Count > 0)
        {
            DropUnreadInitializers(target.Graph);
        }
        return outcome with { Written = written };
    }

    /// <summary>
    /// Puts the branches <paramref name="outcome"/> wrote into another main-graph QDQ form of the same float model (the
    /// fallback rebuilds the main graph with some layers in float; its If nodes still hold float branches). Names new in
    /// a branch that the rebuilt graph now uses are renamed within the branch.
    /// </summary>
    public static void Reapply(SubgraphOutcome outcome, ModelProto target)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentNullException.ThrowIfNull(target);
        if (outcome.Written.Count == 0)
        {
            return;
        }
        var taken = AllNames(target);
        foreach (var branch in outcome.Written)
        {
            var attribute = target.Graph.Node.Single(n => n.Name == branch.Owner).Attribute.Single(a => a.Name == branch.Attribute);
            var graph = branch.Graph.Clone();
            ScopedNames.Separate(graph, ScopeReads.WithNested(attribute.G), taken);
            attribute.G = graph;
        }
        DropUnreadInitializers(target.Graph);
    }

    /// <param name="written">Collects the branches written into <paramref name="target"/>'s main graph; null for a nested graph.</param>
    private static SubgraphOutcome Quantize(ModelProto floatModel, ModelProto target, SubgraphOptions options,
        IEnumerable<IReadOnlyDictionary<string, TensorProto>> batches, string source, HashSet<string> taken,
        List<WrittenBranch>? written)
    {
        var keptFloat = new List<SkippedLayer>();
        var candidates = new List<(NodeProto Owner, string Attribute)>();
        foreach (var node in floatModel.Graph.Node.Where(n => n.Attribute.Any(a => a.G is not null || a.Graphs.Count > 0)))
        {
            foreach (var attribute in node.Attribute.Where(a => a.G is not null || a.Graphs.Count > 0))
            {
                var weighted = attribute.Graphs.Append(attribute.G).OfType<GraphProto>().SelectMany(WeightedNodes).ToList();
                if (weighted.Count == 0)
                {
                    continue;
                }
                if (node is { OpType: "If", Domain: "" or "ai.onnx" } && attribute.G is not null)
                {
                    candidates.Add((node, attribute.Name));
                    continue;
                }
                var why = $"it is inside the {attribute.Name} of {node.OpType} '{LayerNames.Of(node)}', whose values change " +
                    "every iteration and are not observed by calibration";
                keptFloat.AddRange(weighted.Select(w => new SkippedLayer(LayerNames.Of(w), w.OpType, why)));
            }
        }
        if (candidates.Count == 0)
        {
            return new SubgraphOutcome([], keptFloat);
        }

        var initializers = floatModel.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var wanted = candidates.SelectMany(c => ScopeReads.Of(c.Owner.Attribute.Single(a => a.Name == c.Attribute).G))
            .Concat(candidates.Select(c => c.Owner.Input[0]))
            .Where(v => !initializers.Contains(v))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var captured = OuterValueCapture.Run(floatModel, wanted, batches, source);

        var quantized = new List<QuantizedSubgraph>();
        foreach (var (owner, attribute) in candidates)
        {
            var takesThen = attribute == "then_branch";
            var reaching = captured.Where(c => Condition(c[owner.Input[0]], source) == takesThen).ToList();
            var graph = owner.Attribute.Single(a => a.Name == attribute).G;
            var untaken = reaching.Count == 0;
            var untakenWhy = captured.Count == 0
                ? $"it is inside the {attribute} of If '{LayerNames.Of(owner)}', inside a branch no calibration sample took"
                : $"it is inside the {attribute} of If '{LayerNames.Of(owner)}', which no calibration sample took " +
                    $"(its condition '{owner.Input[0]}' was always {(!takesThen).ToString().ToLowerInvariant()})";
            if (untaken && !options.PlanOptions(graph).WeightOnlyFallback)
            {
                keptFloat.AddRange(WeightedNodes(graph).Select(w => new SkippedLayer(LayerNames.Of(w), w.OpType, untakenWhy)));
                continue;
            }
            // An untaken branch has no values to calibrate on, but the other samples still say its inputs' types; in a
            // branch nothing reached at all (an If nested in an untaken one) the types are inferred from the graph.
            var types = untaken && captured.Count == 0
                ? ElementTypes.Infer(floatModel.Graph)
                : (untaken ? captured : reaching)[0].ToDictionary(p => p.Key, p => p.Value.DataType, StringComparer.Ordinal);
            var branch = BranchModel.Create(floatModel, owner, attribute, types);
            var branchBatches = reaching
                .Select(c => (IReadOnlyDictionary<string, TensorProto>)branch.OuterInputs.ToDictionary(n => n, n => c[n], StringComparer.Ordinal))
                .ToList();
            var planOptions = options.PlanOptions(branch.Model.Graph);
            // Nothing reaches an untaken branch to calibrate activations on: its weighted layers are weight-only.
            var plan = untaken
                ? PlanBuilder.Plan(branch.Model.Graph, planOptions with { Activation = ActivationMode.None }).AllWeightOnly(untakenWhy)
                : PlanBuilder.Plan(branch.Model.Graph, planOptions);
            var result = branch.Model.Clone();
            var calibrated = plan.Layers.Count > 0 || plan.QuantizedTensors.Count > 0;
            var changed = calibrated || plan.WeightOnly.Count > 0;
            if (!calibrated && changed)
            {
                // Weight-only layers alone: nothing to calibrate.
                result = QdqModelBuilder.Build(branch.Model, plan, new Dictionary<string, ActivationParams>(),
                    new Dictionary<string, QuantizedWeights>(), source);
                quantized.Add(new QuantizedSubgraph(branch.Label, plan, [], new Dictionary<string, QuantizedWeights>(), 0));
            }
            else if (calibrated)
            {
                var calibration = Calibrator.Run(branch.Model, plan.ObservedTensors, options.KeepHistograms, branchBatches, source);
                var factors = ActivationFactors.Compute(plan, calibration.Observations, options.MethodFor, options.Activation);
                var weights = LayerWeights.Quantize(branch.Model.Graph, plan, source, options.WeightBits, options.WeightRangeSearch);
                var parameters = factors.ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);
                result = QdqModelBuilder.Build(branch.Model, plan, parameters, weights, source, options.SignedActivations);
                quantized.Add(new QuantizedSubgraph(branch.Label, plan, factors, weights, calibration.Samples));
            }
            keptFloat.AddRange(plan.Skipped.Select(s => s with { Reason = $"{s.Reason} (in the {branch.Label})" }));
            var nested = Quantize(branch.Model, result, options, branchBatches, source, taken, written: null);
            quantized.AddRange(nested.Quantized);
            keptFloat.AddRange(nested.KeptFloat);
            if (changed || nested.Quantized.Count > 0)
            {
                var restored = branch.Restore(result);
                ScopedNames.Separate(restored, ScopeReads.WithNested(graph), taken);
                var targetOwner = target.Graph.Node.Single(n => n.Name == owner.Name);
                targetOwner.Attribute.Single(a => a.Name == attribute).G = restored;
                written?.Add(new WrittenBranch(owner.Name, attribute, restored.Clone()));
            }
        }
        return new SubgraphOutcome(quantized, keptFloat);
    }

    private static bool Condition(TensorProto condition, string source) =>
        condition.DataType == DataTypes.Bool && TensorData.ToArray<bool>(condition, source) is [var value]
            ? value
            : throw new AmctException(ErrorCodes.CalibrationRunFailed, source,
                $"the If condition '{condition.Name}' is not one boolean on the calibration data.");

    private static IEnumerable<GraphProto> Subgraphs(NodeProto node) =>
        node.Attribute.SelectMany(a => a.Graphs.Append(a.G)).OfType<GraphProto>();

    /// <summary>Conv/ConvTranspose/Gemm/MatMul/LSTM… nodes of a graph and its nested graphs.</summary>
    private static IEnumerable<NodeProto> WeightedNodes(GraphProto graph) =>
        ScopeReads.WithNested(graph).SelectMany(g => g.Node)
            .Where(n => n.Domain is "" or "ai.onnx" && OpRules.Int8WeightOpTypes.Contains(n.OpType));

    private static HashSet<string> AllNames(ModelProto model)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var graph in ScopeReads.WithNested(model.Graph))
        {
            names.UnionWith(ScopedNames.Defined(graph));
        }
        return names;
    }

    /// <summary>Main-graph initializers nothing reads any more (weights a branch borrowed and now holds in int8).</summary>
    private static void DropUnreadInitializers(GraphProto graph)
    {
        var uses = ValueUses.Count(graph);
        var inputs = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var kept = graph.Initializer.Where(t => uses.GetValueOrDefault(t.Name) > 0 || inputs.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(kept);
    }
}
