using Amct.Engine.ControlFlow;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Import;

namespace Amct.Engine.Pipeline;

/// <summary>
/// Rebuilds the quantized model with some layers in float, reusing the full calibration: the plan is made again with
/// those layers skipped, factors come from the clip ranges already found, weights from the ones already quantized.
/// The If branches quantized on their own (<paramref name="branches"/>) are put back into every rebuilt model: the
/// fallback reverts main-graph layers only, and its candidates are judged as the model that would ship. An imported QAT
/// model (<paramref name="import"/>) is planned again from its trained factors, as the plan stage first did: the layers
/// kept in float compute with their dequantized trained weights, every other tensor keeps its trained factors.
/// </summary>
internal sealed class Rebuilder(ModelProto prepared, JobSettings settings, IReadOnlyList<TensorFactors> fullFactors,
    IReadOnlyDictionary<string, QuantizedWeights> weights, string source, bool signedActivations, SubgraphOutcome branches,
    ImportedQdq? import = null)
{
    private readonly Dictionary<string, TensorFactors> _full = fullFactors.ToDictionary(f => f.Tensor, StringComparer.Ordinal);

    public const string FallbackReason = "kept in float by the accuracy fallback";
    public const string SpeedReason = "kept in float for speed (faster in ONNX Runtime here)";

    /// <summary>The tensors the model built with <paramref name="layers"/> at 16 bits stores at 16 bits, sorted (for the reports).</summary>
    public IReadOnlyList<string> Int16Tensors(QuantizationPlan plan, IReadOnlyList<TensorFactors> factors, IReadOnlyList<string> layers) =>
        Int16Activations.For(plan, factors, layers, settings.Activation).Keys.Order(StringComparer.Ordinal).ToList();

    /// <param name="layers">Layers the accuracy fallback keeps in float.</param>
    /// <param name="forSpeed">Layers the speed search keeps in float.</param>
    /// <param name="sixteenBit">Layers the accuracy fallback keeps int8 with 16-bit activation input (<see cref="Int16Activations"/>).</param>
    public (ModelProto Model, QuantizationPlan Plan, IReadOnlyList<TensorFactors> Factors) Reverting(IReadOnlyList<string> layers,
        IReadOnlyList<string>? forSpeed = null, IReadOnlyList<string>? sixteenBit = null)
    {
        var options = settings.PlanOptions(prepared.Graph);
        var skip = new HashSet<string>(options.SkipLayers, StringComparer.Ordinal);
        skip.UnionWith(layers);
        skip.UnionWith(forSpeed ?? []);
        var (plan, factors) = import is null ? Calibrated(options with { SkipLayers = skip }) : Trained(options with { SkipLayers = skip }, import);
        var reverted = layers.ToHashSet(StringComparer.Ordinal);
        var speed = (forSpeed ?? []).ToHashSet(StringComparer.Ordinal);
        plan = plan.WithSkipped(plan.Skipped
            .Select(s => reverted.Contains(s.Name) ? s with { Reason = FallbackReason }
                : speed.Contains(s.Name) ? s with { Reason = SpeedReason } : s)
            .ToList());
        var parameters = factors.ToDictionary(f => f.Tensor, f => f.Params, StringComparer.Ordinal);
        var wide = Int16Activations.For(plan, factors, sixteenBit ?? [], settings.Activation);
        var model = QdqModelBuilder.Build(prepared, plan, parameters, weights, source, signedActivations, wide);
        SubgraphQuantization.Reapply(branches, model);
        return (model, plan, factors);
    }

    private (QuantizationPlan Plan, IReadOnlyList<TensorFactors> Factors) Calibrated(PlanOptions options)
    {
        var plan = PlanBuilder.Plan(prepared.Graph, options);
        return (plan, ActivationFactors.FromClipRanges(plan, _full, settings.Activation));
    }

    private (QuantizationPlan Plan, IReadOnlyList<TensorFactors> Factors) Trained(PlanOptions options, ImportedQdq trained)
    {
        var fitted = TrainedFactors.Fit(prepared.Graph, options, trained);
        return (fitted.Plan, fitted.Factors);
    }

    /// <summary>
    /// The model with only this weighted layer in int8 (activation-only ops such as Add or Concat keep their Q/DQ in
    /// every such model, a common baseline that does not change the ranking).
    /// </summary>
    public ModelProto OnlyLayer(string layer, QuantizationPlan fullPlan) =>
        Reverting(fullPlan.Layers.Select(l => l.Name).Where(n => n != layer).ToList()).Model;
}
