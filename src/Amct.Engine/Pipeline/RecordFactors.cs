using Amct.Engine.Formats;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline;

/// <summary>
/// Between the plan's factors and AMCT record entries. A record follows AMCT's ONNX schema
/// (<c>scale_offset_record_onnx.proto</c>): a quantized layer is recorded under its node name with its input's factors
/// (scale_d, offset_d) and its weight scales (scale_w, offset_w = 0); an average pool under its node name with its
/// input's factors and the weight factors 1 and 0, as AMCT writes it. A quantized tensor those entries do not fix
/// (an Add input, say; AMCT's <c>tensor_quantize</c>) is recorded under the tensor's name with
/// <c>is_tensor_quantize: true</c>, so a record holds everything needed to rebuild the model without calibrating.
/// </summary>
public static class RecordFactors
{
    private const string TensorKeySuffix = ":tensor";

    /// <param name="balanced">The tensors DMQ balancing divided: their layers' entries carry the factors
    /// (<c>tensor_balance_factor</c>), to which their scale_d and scale_w belong.</param>
    public static IReadOnlyList<LayerRecord> ToRecord(QuantizationPlan plan, IReadOnlyList<TensorFactors> factors,
        IReadOnlyDictionary<string, QuantizedWeights> weights, IReadOnlyList<Quantization.Balancing.BalancedTensor>? balanced = null)
    {
        var byTensor = factors.ToDictionary(f => f.Tensor, StringComparer.Ordinal);
        var balance = (balanced ?? []).SelectMany(b => b.Layers.Select(l => (Layer: l, b.Factors)))
            .ToDictionary(x => x.Layer, x => x.Factors, StringComparer.Ordinal);
        var records = new List<LayerRecord>();
        foreach (var layer in plan.Layers)
        {
            // Weight-only: the input has no factors, and the entry holds the weight scales alone.
            var input = byTensor.TryGetValue(layer.ActivationInput, out var observed) ? observed.Params : (ActivationParams?)null;
            records.Add(new LayerRecord(layer.Name)
            {
                ScaleD = input?.Scale,
                OffsetD = input?.Offset,
                ScaleW = weights[layer.Name].Scales,
                OffsetW = new int[weights[layer.Name].Scales.Length],
                TensorBalanceFactor = balance.GetValueOrDefault(layer.Name) ?? [],
            });
        }
        foreach (var pool in plan.Pools)
        {
            var input = byTensor[pool.Input].Params;
            records.Add(new LayerRecord(pool.Name) { ScaleD = input.Scale, OffsetD = input.Offset, ScaleW = [1f], OffsetW = [0] });
        }
        var nodeKeys = records.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var covered = CoveredGroups(plan, byTensor);
        foreach (var tensor in plan.QuantizedTensors.Where(t => !covered.Contains(byTensor[t].Group)))
        {
            var p = byTensor[tensor].Params;
            records.Add(new LayerRecord(nodeKeys.Contains(tensor) ? tensor + TensorKeySuffix : tensor)
            {
                ScaleD = p.Scale,
                OffsetD = p.Offset,
                IsTensorQuantize = true,
            });
            covered.Add(byTensor[tensor].Group);
        }
        return records;
    }

    /// <summary>The groups a layer or pool entry already gives factors (through its input).</summary>
    private static HashSet<int> CoveredGroups(QuantizationPlan plan, Dictionary<string, TensorFactors> byTensor) =>
        plan.Layers.Select(l => l.ActivationInput).Concat(plan.Pools.Select(p => p.Input))
            .Where(byTensor.ContainsKey).Select(t => byTensor[t].Group).ToHashSet();

    /// <summary>
    /// What a record gives the plan: factors for every group it covers, the groups it does not, and its entries that
    /// apply to nothing. A group is covered by a layer or pool entry for one of its members (a tensor a pass-through op
    /// such as MaxPool or Flatten carries is in its input's group), by an <c>is_tensor_quantize</c> entry, or — for an
    /// average pool's output — by its input's factors (an average lies within the range of what it averages).
    /// </summary>
    /// <param name="plan">The plan.</param>
    /// <param name="records">The record's entries.</param>
    /// <param name="recordPath">The record file, named in errors.</param>
    public static RecordCoverage FromRecord(QuantizationPlan plan, IReadOnlyList<LayerRecord> records, string recordPath)
    {
        var target = Path.GetFullPath(recordPath);
        var byKey = records.ToDictionary(r => r.Key, StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var found = new Dictionary<string, (ActivationParams Params, string Key)>(StringComparer.Ordinal);
        foreach (var (node, input) in plan.Layers.Select(l => (l.Name, l.ActivationInput)).Concat(plan.Pools.Select(p => (p.Name, p.Input))))
        {
            if (byKey.TryGetValue(node, out var record))
            {
                used.Add(node);
                if (record is { ScaleD: { } scale, OffsetD: { } offset })
                {
                    Add(found, input, new ActivationParams(scale, offset), node, target);
                }
            }
        }
        foreach (var tensor in plan.QuantizedTensors)
        {
            var record = byKey.GetValueOrDefault(tensor + TensorKeySuffix) ?? byKey.GetValueOrDefault(tensor);
            if (record is { IsTensorQuantize: true, ScaleD: { } scale, OffsetD: { } offset })
            {
                used.Add(record.Key);
                Add(found, tensor, new ActivationParams(scale, offset), record.Key, target);
            }
        }

        var groupOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var g = 0; g < plan.Groups.Count; g++)
        {
            foreach (var member in plan.Groups[g])
            {
                groupOf[member] = g;
            }
        }
        var chosen = new (ActivationParams Params, string Key)?[plan.Groups.Count];
        for (var g = 0; g < plan.Groups.Count; g++)
        {
            chosen[g] = GroupFactors(plan.Groups[g], found, target);
        }
        foreach (var pool in plan.Pools.Where(p => groupOf.ContainsKey(p.Output)))
        {
            var (output, input) = (groupOf[pool.Output], groupOf[pool.Input]);
            if (chosen[output] is null && chosen[input] is { } inputFactors)
            {
                chosen[output] = (inputFactors.Params, inputFactors.Key);
            }
        }

        var factors = new List<TensorFactors>();
        var uncovered = new List<int>();
        for (var g = 0; g < plan.Groups.Count; g++)
        {
            if (chosen[g] is not { } given)
            {
                uncovered.Add(g);
                continue;
            }
            var (low, high) = given.Params.Range;
            factors.AddRange(plan.Groups[g].Select(m => new TensorFactors(m, g, "record", double.NaN, double.NaN, low, high, given.Params, null)));
        }
        return new RecordCoverage(factors, uncovered, records.Where(r => !used.Contains(r.Key)).ToList());
    }

    /// <summary>The factors the group's members were given (they must agree), or null when none was given any.</summary>
    private static (ActivationParams Params, string Key)? GroupFactors(IReadOnlyList<string> members,
        Dictionary<string, (ActivationParams Params, string Key)> found, string target)
    {
        var given = members.Where(found.ContainsKey).Select(m => (Tensor: m, found[m].Params, found[m].Key)).ToList();
        if (given.Count == 0)
        {
            return null;
        }
        var first = given[0];
        if (given.FirstOrDefault(x => x.Params != first.Params) is { Tensor: not null } other)
        {
            throw new AmctException(ErrorCodes.RecordConflictingFactors, target,
                $"entries '{first.Key}' and '{other.Key}' give different factors to tensors '{first.Tensor}' and " +
                $"'{other.Tensor}', which must share one scale and offset (they meet in a Concat or pass-through op).");
        }
        return (first.Params, first.Key);
    }

    private static void Add(Dictionary<string, (ActivationParams, string)> found, string tensor, ActivationParams p, string key, string target)
    {
        if (found.TryGetValue(tensor, out var existing) && existing.Item1 != p)
        {
            throw new AmctException(ErrorCodes.RecordConflictingFactors, target,
                $"entries '{existing.Item2}' and '{key}' give different factors to their shared input '{tensor}'.");
        }
        found[tensor] = (p, key);
    }
}

/// <summary>What a record gives a plan (see <see cref="RecordFactors.FromRecord"/>).</summary>
/// <param name="Factors">The factors of every tensor in a covered group, in group order.</param>
/// <param name="UncoveredGroups">The indexes of the plan's groups the record gives no factors.</param>
/// <param name="Unused">The entries that apply to no quantized layer, pool or tensor of the plan.</param>
public sealed record RecordCoverage(IReadOnlyList<TensorFactors> Factors, IReadOnlyList<int> UncoveredGroups, IReadOnlyList<LayerRecord> Unused);
