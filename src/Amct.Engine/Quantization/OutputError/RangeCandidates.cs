using Amct.Engine.Calibration;

namespace Amct.Engine.Quantization.OutputError;

/// <summary>One candidate clip of a group of tensors sharing factors: the method that gave it, the range and its factors.</summary>
public sealed record RangeCandidate(string Method, ClipRange Range, ActivationParams Params);

/// <summary>
/// The candidate clips of a group for the output-aware choice: per candidate method, the union of its clips of the
/// group's observed members (members share one set of factors), with candidates giving the same factors as an earlier
/// one dropped, so the first method's stays first.
/// </summary>
public static class RangeCandidates
{
    public static IReadOnlyList<RangeCandidate> For(IReadOnlyList<string> members,
        IReadOnlyDictionary<string, TensorObservation> observations, IReadOnlyList<IRangeMethod> methods, ActivationMode mode)
    {
        var observed = members.Where(observations.ContainsKey).Select(m => observations[m]).ToList();
        var result = new List<RangeCandidate>();
        if (observed.Count == 0)
        {
            return result;
        }
        foreach (var method in methods)
        {
            var clips = observed.Select(o => method.Compute(o, mode)).ToList();
            var range = new ClipRange(clips.Min(c => c.Min), clips.Max(c => c.Max));
            var parameters = ActivationParams.FromRange(range.Min, range.Max, mode);
            if (result.All(r => r.Params != parameters))
            {
                result.Add(new RangeCandidate(method.Name, range, parameters));
            }
        }
        return result;
    }

    /// <summary>The index of the lowest error; the first (the default method's) unless another is strictly lower.</summary>
    public static int Best(IReadOnlyList<double> errors)
    {
        var best = 0;
        for (var i = 1; i < errors.Count; i++)
        {
            if (errors[i] < errors[best])
            {
                best = i;
            }
        }
        return best;
    }
}
