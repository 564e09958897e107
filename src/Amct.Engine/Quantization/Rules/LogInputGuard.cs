using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// Keeps float a weighted layer whose output a Log takes, directly or through ops that keep small values small
/// (clamps, powers, reshapes, sums, other linear layers): the STFT convolutions and the mel filterbank of a log-mel
/// spectrogram. The logarithm needs relative precision on the smallest outputs, and int8 has a fixed absolute step:
/// a spectrum spans many decades, so its quiet bins round to 0 or one step and the log turns that into tens of dB of
/// error in quiet passages (measured on openWakeWord's melspectrogram: output SQNR −0.5 dB with the STFT in int8 and
/// only the filterbank float). The activation-only ops on the way (the Add that sums real² and imag²) stay on float
/// data too (<see cref="PlanBuilder.IsSkipped"/>). Layers after the Log are quantized as usual.
/// </summary>
internal static class LogInputGuard
{
    /// <summary>Ops that pass small values on as small values (elementwise clamps and powers, data movement, sums).</summary>
    private static readonly HashSet<string> Transparent = new(StringComparer.Ordinal)
    {
        "Clip", "Max", "Min", "Relu", "Abs", "Add", "Mul", "Pow", "Sqrt", "Identity", "Reshape", "Flatten", "Transpose",
        "Squeeze", "Unsqueeze", "Slice", "Gather", "Split", "Concat", "ReduceSum", "ReduceMean",
        "Conv", "ConvTranspose", "MatMul", "Gemm",
    };

    /// <summary>How far past the layer a Log is looked for.</summary>
    private const int Depth = 8;

    /// <summary>Why <paramref name="node"/> stays float, or null when no Log takes its output.</summary>
    public static string? Why(NodeProto node, GraphIndex graph)
    {
        var frontier = node.Output.Where(o => o.Length > 0).ToList();
        var seen = new HashSet<string>(frontier, StringComparer.Ordinal);
        for (var step = 0; step < Depth && frontier.Count > 0; step++)
        {
            var next = new List<string>();
            foreach (var consumer in frontier.SelectMany(graph.Consumers).Where(c => c.Domain is "" or "ai.onnx"))
            {
                if (consumer.OpType == "Log")
                {
                    return $"its output reaches Log '{LayerNames.Of(consumer)}', which needs relative precision on small " +
                        "values that int8's fixed step does not keep";
                }
                if (Transparent.Contains(consumer.OpType))
                {
                    next.AddRange(consumer.Output.Where(o => o.Length > 0 && seen.Add(o)));
                }
            }
            frontier = next;
        }
        return null;
    }
}
