using System.Globalization;

namespace Amct.Engine.Evaluation;

/// <summary>
/// What an int8 model must meet even when the user set no threshold, so that a model which computes something else,
/// grew instead of shrinking, or stayed mostly float never ships silently. QualityFloor=false turns it off.
/// </summary>
public static class QualityFloor
{
    /// <summary>Below this mean cosine similarity with the float model, an output no longer means the same thing.</summary>
    public const double MinCosine = 0.9;

    /// <summary>The codes of the floor's failures (the gate's failure message treats them apart).</summary>
    public static IReadOnlySet<string> Codes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ErrorCodes.CosineBelowFloor, ErrorCodes.Int8LargerThanFloat, ErrorCodes.MostLayersKeptFloat,
    };

    private const string OptOut = "QualityFloor=false (--no-quality-floor) accepts it";

    /// <param name="evaluation">The final model's comparison with the float one; null when not evaluated.</param>
    /// <param name="thresholds">A MinCosineSimilarity the user set replaces the floor's cosine.</param>
    /// <param name="floatBytes">The float model's size, measured as <paramref name="int8Bytes"/> is.</param>
    /// <param name="floatLayers">Layers kept in float by the fallback, and the layers it could have kept.</param>
    public static IReadOnlyList<GateFailure> Check(EvaluationResult? evaluation, GateThresholds thresholds,
        long floatBytes, long int8Bytes, (int Kept, int Of) floatLayers)
    {
        ArgumentNullException.ThrowIfNull(thresholds);
        var c = CultureInfo.InvariantCulture;
        var failures = new List<GateFailure>();
        if (evaluation is not null && thresholds.MinCosineSimilarity is null)
        {
            foreach (var output in evaluation.Outputs.Where(o => o.CosineMean < MinCosine))
            {
                failures.Add(new(ErrorCodes.CosineBelowFloor, $"cosine similarity ({output.Output})", output.CosineMean, MinCosine,
                    string.Create(c, $"output '{output.Output}': mean cosine similarity with the float model is {output.CosineMean:0.0000}, below the quality floor {MinCosine}, so the int8 model computes something else. Look at the report's layer table; set MinCosineSimilarity (the fallback then keeps the sensitive layers in float) or skip sensitive layers; {OptOut}")));
            }
        }
        if (int8Bytes > floatBytes)
        {
            failures.Add(new(ErrorCodes.Int8LargerThanFloat, "size (bytes)", int8Bytes, floatBytes,
                string.Create(c, $"the int8 model ({int8Bytes:N0} bytes) is larger than the float one ({floatBytes:N0} bytes): the quantize/dequantize nodes add more than the int8 weights save. Ship the float model, or skip the layers with small weights; {OptOut}")));
        }
        if (floatLayers.Kept * 2 > floatLayers.Of)
        {
            failures.Add(new(ErrorCodes.MostLayersKeptFloat, "layers kept in float", floatLayers.Kept, floatLayers.Of / 2.0,
                string.Create(c, $"the fallback kept {floatLayers.Kept} of {floatLayers.Of} layers in float to pass the gate, more than half, so most of the model is not int8. Relax the thresholds or lower MaxFallbackLayers; {OptOut}")));
        }
        return failures;
    }
}
