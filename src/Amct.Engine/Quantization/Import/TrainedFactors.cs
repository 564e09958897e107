using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Import;

/// <summary>The plan an import ends with, the trained factors of its tensors, and what the import had to change.</summary>
public sealed record TrainedPlan(QuantizationPlan Plan, IReadOnlyList<TensorFactors> Factors, IReadOnlyList<string> Changes);

/// <summary>
/// Fits the trained factors of an import to the plan the op rules make for its float graph. Every group of tensors
/// that must share factors takes the trained ones; where the export gave its members different factors (a Concat whose
/// inputs carry different scales) they share one set covering every member's range; where it gave none (the export left
/// the tensor float) the nodes around it stay float. A layer keeps the weight granularity the export trained.
/// </summary>
public static class TrainedFactors
{
    public const string Algorithm = "trained";

    public static TrainedPlan Fit(GraphProto graph, PlanOptions options, ImportedQdq import)
    {
        var changes = new List<string>();
        var keptFloat = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = new GraphIndex(graph);
        var plan = PlanBuilder.Plan(graph, options);
        // A Relu folds into its producer's quantizer only when that quantizer clamps at 0: trained factors whose range
        // reaches below 0 (symmetric activations) would let negatives through, so the activations stay as nodes.
        var unclamped = plan.Folds.Where(f => import.Activations.TryGetValue(f.Output, out var p) && p.Range.Min < 0).ToList();
        if (unclamped.Count > 0)
        {
            options = options with { Activation = ActivationMode.Symmetric };
            plan = PlanBuilder.Plan(graph, options);
            changes.Add($"the trained factors after {string.Join(", ", unclamped.Select(f => $"'{f.Node}'"))} reach below 0, so " +
                "these activations stay as nodes instead of folding into the quantizer before them");
        }
        // Each round keeps the nodes around one more untrained group in float; a round that finds none ends it.
        for (var round = 0; round <= graph.Node.Count; round++)
        {
            var untrained = plan.Groups.FirstOrDefault(g => !g.Any(import.Activations.ContainsKey));
            if (untrained is null)
            {
                break;
            }
            var around = untrained.SelectMany(t => index.Consumers(t).Append(index.Producer(t)))
                .OfType<NodeProto>().Select(n => n.Name).Where(n => !keptFloat.ContainsKey(n)).Distinct().ToList();
            if (around.Count == 0)
            {
                throw new InvalidOperationException($"tensor '{untrained[0]}' has no trained factors and no node to keep in float");
            }
            around.ForEach(n => keptFloat[n] = $"the export gives no trained factors for '{untrained[0]}'");
            changes.Add($"tensor '{untrained[0]}' has no Q/DQ in the export but would need one here: kept " +
                $"{string.Join(", ", around.Select(n => $"'{n}'"))} in float");
            plan = PlanBuilder.Plan(graph, options with { SkipLayers = options.SkipLayers.Concat(keptFloat.Keys).ToHashSet(StringComparer.Ordinal) });
        }
        plan = WithTrainedGranularity(plan, import, changes)
            .WithSkipped(plan.Skipped.Select(s => keptFloat.TryGetValue(s.Name, out var why) ? s with { Reason = why } : s).ToList());
        var factors = Factors(plan, import, changes);
        var quantized = plan.QuantizedTensors.Concat(plan.Folds.Select(f => f.ProducerOutput)).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in import.Activations.Keys.Where(t => !quantized.Contains(t)).Order(StringComparer.Ordinal))
        {
            changes.Add($"the Q/DQ pair on '{tensor}' is left out: no int8 kernel reads it here (its consumers run in float)");
        }
        return new TrainedPlan(plan, factors, changes);
    }

    /// <summary>Layers take the weight axis (or one scale) the export trained, where the op's rule allows that axis.</summary>
    private static QuantizationPlan WithTrainedGranularity(QuantizationPlan plan, ImportedQdq import, List<string> changes)
    {
        var layers = plan.Layers.Select(layer =>
        {
            if (!import.Weights.TryGetValue(layer.Weight, out var trained) || trained.Axis == layer.WeightAxis)
            {
                return layer;
            }
            if (trained.Axis is null || trained.Axis == layer.Roles.Weight.ChannelAxis)
            {
                return layer with { WeightAxis = trained.Axis };
            }
            changes.Add($"layer '{layer.Name}': the export's weight scales run along axis {trained.Axis}, which the int8 " +
                $"kernel cannot use; its weight is quantized again along axis {layer.Roles.Weight.ChannelAxis}");
            return layer;
        }).ToList();
        return new QuantizationPlan
        {
            Layers = layers,
            Skipped = plan.Skipped,
            Folds = plan.Folds,
            QuantizedTensors = plan.QuantizedTensors,
            Groups = plan.Groups,
            ObservedTensors = plan.ObservedTensors,
        };
    }

    private static List<TensorFactors> Factors(QuantizationPlan plan, ImportedQdq import, List<string> changes)
    {
        var result = new List<TensorFactors>();
        for (var g = 0; g < plan.Groups.Count; g++)
        {
            var members = plan.Groups[g];
            var trained = members.Where(import.Activations.ContainsKey).Select(m => (Tensor: m, Params: import.Activations[m])).ToList();
            var shared = trained[0].Params;
            if (trained.Any(t => t.Params != shared))
            {
                var low = trained.Min(t => t.Params.Range.Min);
                var high = trained.Max(t => t.Params.Range.Max);
                shared = ActivationParams.FromRange(low, high, ActivationMode.Asymmetric);
                changes.Add($"tensors {string.Join(", ", trained.Select(t => $"'{t.Tensor}' (scale {t.Params.Scale:G9}, offset {t.Params.Offset})"))} " +
                    $"must share one scale and offset to fuse (they meet in a Concat or pass-through op); all now use scale " +
                    $"{shared.Scale:G9}, offset {shared.Offset}, which covers each one's range");
            }
            var (min, max) = shared.Range;
            result.AddRange(members.Select(m => new TensorFactors(m, g, Algorithm, double.NaN, double.NaN, min, max, shared, null)));
        }
        return result;
    }

    /// <summary>
    /// The planned layers' int8 weights: the trained integers and scales where the weight is still the one the export
    /// stored (preparation may have changed it, e.g. by folding a BatchNormalization), else quantized from its values.
    /// </summary>
    public static IReadOnlyDictionary<string, QuantizedWeights> Weights(GraphProto graph, QuantizationPlan plan, ImportedQdq import,
        string source, List<string> changes)
    {
        var index = new GraphIndex(graph);
        var result = new Dictionary<string, QuantizedWeights>(StringComparer.Ordinal);
        foreach (var layer in plan.Layers)
        {
            var tensor = index.Constant(layer.Weight)!;
            var values = TensorData.ToArray<float>(tensor, source);
            if (import.Weights.TryGetValue(layer.Weight, out var trained) && trained.Axis == layer.WeightAxis && StillTrained(values, tensor.Dims.ToArray(), trained))
            {
                result[layer.Name] = new QuantizedWeights(trained.Values, trained.Scales, trained.Axis, Sqnr.Db(1, 0), 0);
                continue;
            }
            changes.Add(trained is null
                ? $"layer '{layer.Name}': its weight has no Q/DQ in the export; quantized from its float values"
                : $"layer '{layer.Name}': its weight is not the trained one any more (folded or rescaled); quantized again from its values");
            result[layer.Name] = WeightQuantizer.Quantize(values, tensor.Dims, layer.WeightAxis);
        }
        return result;
    }

    /// <summary>True when quantizing the float values with the trained scales gives back the trained integers.</summary>
    private static bool StillTrained(float[] values, long[] dims, TrainedWeight trained)
    {
        if (values.Length != trained.Values.Length)
        {
            return false;
        }
        var inner = 1L;
        var channels = trained.Axis is { } a ? dims[a] : 1;
        for (var d = (trained.Axis ?? dims.Length) + 1; d < dims.Length; d++)
        {
            inner *= dims[d];
        }
        for (var i = 0; i < values.Length; i++)
        {
            var scale = trained.Scales[trained.Axis is null ? 0 : (int)(i / inner % channels)];
            if (Math.Round(values[i] / (double)scale, MidpointRounding.ToEven) != trained.Values[i])
            {
                return false;
            }
        }
        return true;
    }
}
