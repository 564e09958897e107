using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization;

/// <summary>
/// The 16-bit factors of one activation tensor: <c>x ≈ (q − ZeroPoint) · Scale</c> with q in uint16 (asymmetric
/// activations) or int16 (symmetric, zero point 0). 65,536 levels instead of 256, so the tensor keeps the full observed
/// range instead of an int8 clip: its rounding error is 256 times smaller at the same range.
/// </summary>
public readonly record struct Int16ActivationParams(float Scale, int ZeroPoint, bool SignedStorage)
{
    /// <summary>
    /// Factors for a range widened to include 0 (so zero padding and a folded ReLU's zeros stay exact). Asymmetric:
    /// uint16, <c>scale = (max − min) / 65535</c>; symmetric: int16, zero point 0, <c>scale = max|x| / 32767</c>. A
    /// degenerate range gets scale 1, as the int8 factors do.
    /// </summary>
    public static Int16ActivationParams FromRange(double min, double max, ActivationMode mode)
    {
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        if (mode == ActivationMode.Symmetric)
        {
            var symmetricScale = (float)(Math.Max(-min, max) / 32767.0);
            return new Int16ActivationParams(symmetricScale < ActivationParams.FltEpsilon ? 1f : symmetricScale, 0, true);
        }
        var scale = (float)((max - min) / 65535.0);
        if (scale < ActivationParams.FltEpsilon)
        {
            return new Int16ActivationParams(1f, 0, false);
        }
        var zeroPoint = (int)Math.Clamp(Math.Round(-min / scale, MidpointRounding.ToEven), 0, 65535);
        return new Int16ActivationParams(scale, zeroPoint, false);
    }

    /// <summary>The zero-point initializer, in the storage type the Q/DQ pair then has.</summary>
    public TensorProto ZeroPointTensor(string name) => SignedStorage
        ? TensorData.FromArray<short>(name, [], [(short)ZeroPoint])
        : TensorData.FromArray<ushort>(name, [], [(ushort)ZeroPoint]);
}

/// <summary>
/// Which activation tensors go to 16 bits when layers take the accuracy fallback's 16-bit step: every tensor of the
/// factor group each such layer reads (a group shares factors through MaxPool, Reshape or Concat, so the error the layer
/// sees is made at every member), with factors from the group's observed range (not the int8 clip: 16 bits need none).
/// The layer's weights stay int8 and its bias keeps its int8-scale int32: ONNX Runtime computes such a layer in float
/// on the dequantized values, so the bias scale need not match the 16-bit input.
/// </summary>
public static class Int16Activations
{
    /// <summary>The 16-bit factors by tensor, for <paramref name="layers"/> of <paramref name="plan"/> (others ignored).</summary>
    public static IReadOnlyDictionary<string, Int16ActivationParams> For(QuantizationPlan plan, IReadOnlyList<TensorFactors> factors,
        IReadOnlyCollection<string> layers, ActivationMode mode)
    {
        var result = new Dictionary<string, Int16ActivationParams>(StringComparer.Ordinal);
        if (layers.Count == 0 || mode == ActivationMode.None)
        {
            return result;
        }
        var byTensor = factors.ToDictionary(f => f.Tensor, StringComparer.Ordinal);
        var inputs = plan.Layers.Where(l => layers.Contains(l.Name)).Select(l => l.ActivationInput).ToHashSet(StringComparer.Ordinal);
        foreach (var group in plan.Groups.Where(g => g.Any(inputs.Contains)))
        {
            var known = group.Where(byTensor.ContainsKey).Select(t => byTensor[t]).ToList();
            if (known.Count == 0)
            {
                continue;
            }
            var parameters = Int16ActivationParams.FromRange(known.Min(Low), known.Max(High), mode);
            foreach (var tensor in group)
            {
                result[tensor] = parameters;
            }
        }
        return result;
    }

    /// <summary>The observed range where calibration saw the tensor, else its clip (a member that shares a group's factors).</summary>
    private static double Low(TensorFactors f) => double.IsFinite(f.ObservedMin) ? Math.Min(f.ObservedMin, f.ClipMin) : f.ClipMin;

    private static double High(TensorFactors f) => double.IsFinite(f.ObservedMax) ? Math.Max(f.ObservedMax, f.ClipMax) : f.ClipMax;
}
