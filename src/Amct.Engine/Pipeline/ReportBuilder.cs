using Amct.Engine.Formats;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline;

/// <summary>Turns plan, factors and weights into the report's layer and tensor tables.</summary>
internal static class ReportBuilder
{
    public static IReadOnlyList<LayerReport> Layers(QuantizationPlan plan, IReadOnlyDictionary<string, ActivationParams> factors,
        IReadOnlyDictionary<string, QuantizedWeights> weights) =>
        plan.Layers.Select(layer =>
        {
            var input = factors[layer.ActivationInput];
            var w = weights[layer.Name];
            return new LayerReport(layer.Name, layer.OpType, layer.ActivationInput, input.Scale, input.Offset,
                w.Axis is null ? "per-tensor" : "per-channel", w.Axis, w.Scales.Length, w.Scales.Min(), w.Scales.Max(),
                Math.Round(w.SqnrDb, 3), w.ZeroChannels, layer.Bias is not null);
        }).ToList();

    public static IReadOnlyList<TensorReport> Tensors(IReadOnlyList<TensorFactors> factors) =>
        factors.Select(f => new TensorReport(
            f.Tensor,
            f.Group,
            f.Algorithm,
            double.IsNaN(f.ObservedMin) ? null : f.ObservedMin,
            double.IsNaN(f.ObservedMax) ? null : f.ObservedMax,
            f.ClipMin,
            f.ClipMax,
            f.Params.Scale,
            f.Params.Offset,
            f.SqnrDb is { } sqnr ? Math.Round(sqnr, 3) : null)).ToList();
}
