using Amct.Engine.Calibration;

namespace Amct.Engine.Quantization;

/// <summary>The factors chosen for one quantized tensor and how they were found (for the report and the record).</summary>
public sealed record TensorFactors(
    string Tensor,
    int Group,
    string Algorithm,
    double ObservedMin,
    double ObservedMax,
    double ClipMin,
    double ClipMax,
    ActivationParams Params,
    double? SqnrDb)
{
    /// <summary>The values calibration saw, coarsely binned for the reports; null when no histogram was kept.</summary>
    public ActivationHistogram? Histogram { get; init; }
}

/// <summary>
/// Turns calibration observations into factors: each observed tensor's clip range comes from its range method; the
/// tensors of a group (which must share factors) take the union of their members' clip ranges; the factors follow
/// from the group's range (AMCT math, <see cref="ActivationParams.FromRange"/>).
/// </summary>
public static class ActivationFactors
{
    /// <param name="plan">The plan whose groups and observed tensors are used.</param>
    /// <param name="observations">Calibration results by tensor.</param>
    /// <param name="methodFor">The range method of a tensor (per-layer config can differ from the default).</param>
    /// <param name="mode">Asymmetric or symmetric activations.</param>
    public static IReadOnlyList<TensorFactors> Compute(QuantizationPlan plan,
        IReadOnlyDictionary<string, TensorObservation> observations, Func<string, IRangeMethod> methodFor, ActivationMode mode)
    {
        // Groups are independent; their range searches run in parallel, and the result keeps group order.
        var perGroup = new List<TensorFactors>[plan.Groups.Count];
        Parallel.For(0, plan.Groups.Count, g => perGroup[g] = ForGroup(g, plan.Groups[g], observations, methodFor, mode));
        return perGroup.SelectMany(group => group).ToList();
    }

    /// <summary>
    /// Factors for another plan of the same model (some layers reverted to float) from the clip ranges a full
    /// calibration already found: each group takes the union of its members' clip ranges. No new calibration.
    /// </summary>
    public static IReadOnlyList<TensorFactors> FromClipRanges(QuantizationPlan plan, IReadOnlyDictionary<string, TensorFactors> full,
        ActivationMode mode)
    {
        var result = new List<TensorFactors>();
        for (var g = 0; g < plan.Groups.Count; g++)
        {
            var members = plan.Groups[g];
            var known = members.Where(full.ContainsKey).Select(m => full[m]).ToList();
            if (known.Count == 0)
            {
                throw new InvalidOperationException($"no calibrated range for tensor '{members[0]}'");
            }
            var parameters = ActivationParams.FromRange(known.Min(k => k.ClipMin), known.Max(k => k.ClipMax), mode);
            result.AddRange(members.Select(m => full.TryGetValue(m, out var f)
                ? f with { Group = g, Params = parameters }
                : new TensorFactors(m, g, "shared", double.NaN, double.NaN, parameters.Range.Min, parameters.Range.Max, parameters, null)));
        }
        return result;
    }

    private static List<TensorFactors> ForGroup(int g, IReadOnlyList<string> members,
        IReadOnlyDictionary<string, TensorObservation> observations, Func<string, IRangeMethod> methodFor, ActivationMode mode)
    {
        var result = new List<TensorFactors>();
        {
            var clips = members
                .Where(observations.ContainsKey)
                .Select(t => (Tensor: t, Method: methodFor(t), Observation: observations[t]))
                .Select(m => (m.Tensor, m.Method.Name, m.Observation, Clip: m.Method.Compute(m.Observation, mode)))
                .ToList();
            if (clips.Count == 0)
            {
                throw new InvalidOperationException($"group of '{members[0]}' has no observed tensor");
            }
            var groupMin = clips.Min(c => c.Clip.Min);
            var groupMax = clips.Max(c => c.Clip.Max);
            var parameters = ActivationParams.FromRange(groupMin, groupMax, mode);
            foreach (var tensor in members)
            {
                var own = clips.FirstOrDefault(c => c.Tensor == tensor);
                var observation = own.Observation;
                result.Add(new TensorFactors(
                    tensor,
                    g,
                    own.Name ?? "shared",
                    observation?.Min ?? double.NaN,
                    observation?.Max ?? double.NaN,
                    own.Name is null ? groupMin : own.Clip.Min,
                    own.Name is null ? groupMax : own.Clip.Max,
                    parameters,
                    observation?.Histogram is { HasRange: true } histogram
                        ? Sqnr.Db(HistogramMath.SquaredSum(histogram), HistogramMath.SquaredError(histogram, parameters))
                        : null)
                {
                    Histogram = observation?.Histogram is { } observed ? ActivationHistogram.Of(observed) : null,
                });
            }
        }
        return result;
    }
}
