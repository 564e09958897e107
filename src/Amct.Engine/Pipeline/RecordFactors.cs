using Amct.Engine.Formats;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline;

/// <summary>
/// Between the plan's factors and AMCT record entries. A quantized layer is recorded under its node name with its
/// input's factors (scale_d, offset_d) and its weight scales (scale_w, offset_w = 0), as AMCT does. Every other
/// quantized tensor (Add and Concat inputs, pool outputs…), which AMCT's own graphs do not have, is recorded under
/// the tensor's name with <c>is_tensor_quantize: true</c> — so a record holds everything needed to rebuild the model
/// without calibrating.
/// </summary>
public static class RecordFactors
{
    private const string TensorKeySuffix = ":tensor";

    public static IReadOnlyList<LayerRecord> ToRecord(QuantizationPlan plan, IReadOnlyList<TensorFactors> factors,
        IReadOnlyDictionary<string, QuantizedWeights> weights)
    {
        var byTensor = factors.ToDictionary(f => f.Tensor, StringComparer.Ordinal);
        var records = new List<LayerRecord>();
        foreach (var layer in plan.Layers)
        {
            var input = byTensor[layer.ActivationInput].Params;
            records.Add(new LayerRecord(layer.Name)
            {
                ScaleD = input.Scale,
                OffsetD = input.Offset,
                ScaleW = weights[layer.Name].Scales,
                OffsetW = new int[weights[layer.Name].Scales.Length],
            });
        }
        var layerKeys = records.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var layerInputs = plan.Layers.Select(l => l.ActivationInput).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in plan.QuantizedTensors.Where(t => !layerInputs.Contains(t)))
        {
            var p = byTensor[tensor].Params;
            records.Add(new LayerRecord(layerKeys.Contains(tensor) ? tensor + TensorKeySuffix : tensor)
            {
                ScaleD = p.Scale,
                OffsetD = p.Offset,
                IsTensorQuantize = true,
            });
        }
        return records;
    }

    /// <summary>The factors of every quantized tensor, from a record (no calibration).</summary>
    public static IReadOnlyList<TensorFactors> FromRecord(QuantizationPlan plan, IReadOnlyList<LayerRecord> records, string recordPath)
    {
        var byKey = records.ToDictionary(r => r.Key, StringComparer.Ordinal);
        var found = new Dictionary<string, (ActivationParams Params, string Key)>(StringComparer.Ordinal);
        foreach (var layer in plan.Layers)
        {
            if (byKey.TryGetValue(layer.Name, out var record) && record.ScaleD is { } scale && record.OffsetD is { } offset)
            {
                Add(found, layer.ActivationInput, new ActivationParams(scale, offset), layer.Name, recordPath);
            }
        }
        foreach (var tensor in plan.QuantizedTensors)
        {
            var record = byKey.GetValueOrDefault(tensor + TensorKeySuffix) ?? byKey.GetValueOrDefault(tensor);
            if (record is { IsTensorQuantize: true, ScaleD: { } scale, OffsetD: { } offset })
            {
                Add(found, tensor, new ActivationParams(scale, offset), record.Key, recordPath);
            }
        }

        var result = new List<TensorFactors>();
        for (var g = 0; g < plan.Groups.Count; g++)
        {
            var members = plan.Groups[g];
            var given = members.Where(found.ContainsKey).Select(m => (Tensor: m, found[m].Params, found[m].Key)).ToList();
            if (given.Count == 0)
            {
                throw new AmctException(ErrorCodes.RecordMissingFactors, Path.GetFullPath(recordPath),
                    $"the record has no factors for tensor '{members[0]}' (no layer entry whose input it is, and no " +
                    "is_tensor_quantize entry for it). Calibrate instead, or add the entry.");
            }
            var first = given[0];
            if (given.FirstOrDefault(x => x.Params != first.Params) is { Tensor: not null } other)
            {
                throw new AmctException(ErrorCodes.RecordConflictingFactors, Path.GetFullPath(recordPath),
                    $"entries '{first.Key}' and '{other.Key}' give different factors to tensors '{first.Tensor}' and " +
                    $"'{other.Tensor}', which must share one scale and offset (they meet in a Concat or pass-through op).");
            }
            var (low, high) = first.Params.Range;
            result.AddRange(members.Select(m => new TensorFactors(m, g, "record", double.NaN, double.NaN, low, high, first.Params, null)));
        }
        return result;
    }

    private static void Add(Dictionary<string, (ActivationParams, string)> found, string tensor, ActivationParams p, string key, string recordPath)
    {
        if (!float.IsFinite(p.Scale) || p.Scale <= 0 || p.Offset is < -128 or > 127)
        {
            throw new AmctException(ErrorCodes.RecordConflictingFactors, Path.GetFullPath(recordPath),
                $"entry '{key}' has invalid factors (scale_d {p.Scale}, offset_d {p.Offset}).");
        }
        if (found.TryGetValue(tensor, out var existing) && existing.Item1 != p)
        {
            throw new AmctException(ErrorCodes.RecordConflictingFactors, Path.GetFullPath(recordPath),
                $"entries '{existing.Item2}' and '{key}' give different factors to their shared input '{tensor}'.");
        }
        found[tensor] = (p, key);
    }
}
