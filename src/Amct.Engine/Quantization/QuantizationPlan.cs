using Amct.Engine.Quantization.Rules;

namespace Amct.Engine.Quantization;

/// <summary>
/// A layer whose weight is quantized to int8: its activation input, weight, optional bias, the weight's channel
/// axis (null = one scale for the tensor), and the roles its rule gave (where those tensors sit on the node).
/// </summary>
public sealed record WeightedLayer(
    string Name,
    string OpType,
    string ActivationInput,
    string Weight,
    string? Bias,
    int? WeightAxis,
    LayerRoles Roles);

/// <summary>
/// A layer computed in float on int8 weights: each weight an int8 initializer behind DequantizeLinear (per channel along
/// <see cref="WeightOnlyWeight.Axis"/>, or per tensor), every activation and bias float. For layers whose activations
/// cannot be int8 (recurrent gates, values on their way to a Log, a branch no calibration sample reached): the file
/// shrinks as if the layer were int8, the arithmetic stays float.
/// </summary>
public sealed record WeightOnlyLayer(string Name, string OpType, IReadOnlyList<WeightOnlyWeight> Weights, string Reason);

/// <summary>One weight of a weight-only layer: the constant, the node input it sits at, and its channel axis (null = one scale).</summary>
public sealed record WeightOnlyWeight(string Tensor, int Input, int? Axis);

/// <summary>A layer left in float, and why (for the report).</summary>
public sealed record SkippedLayer(string Name, string OpType, string Reason);

/// <summary>An activation (Relu, Clip) removed because its producer's quantized output range already clips.</summary>
public sealed record FoldedActivation(string Node, string OpType, string ProducerOutput, string Output);

/// <summary>
/// An average pool whose input is quantized: AMCT records it as a layer (keyed by the node, with its input's factors
/// and the weight factors 1 and 0), so a record names it by node.
/// </summary>
public sealed record QuantizedPool(string Name, string OpType, string Input, string Output);

/// <summary>
/// What the planner decided, before any calibration: which tensors get a quantize/dequantize pair, which of them must
/// share factors (Concat inputs, MaxPool/Reshape input and output…), which layers get int8 weights, which
/// activations fold away, and which tensors calibration must observe.
/// </summary>
public sealed class QuantizationPlan
{
    public required IReadOnlyList<WeightedLayer> Layers { get; init; }
    public required IReadOnlyList<SkippedLayer> Skipped { get; init; }
    public required IReadOnlyList<FoldedActivation> Folds { get; init; }

    /// <summary>Layers whose weights are int8 while their activations stay float, with why (<see cref="WeightOnlyLayer"/>).</summary>
    public IReadOnlyList<WeightOnlyLayer> WeightOnly { get; init; } = [];

    /// <summary>Every quantized activation tensor (names in the float model), in graph order.</summary>
    public required IReadOnlyList<string> QuantizedTensors { get; init; }

    /// <summary>Groups of tensors that share one set of factors; every quantized tensor is in exactly one group.</summary>
    public required IReadOnlyList<IReadOnlyList<string>> Groups { get; init; }

    /// <summary>The tensors whose values calibration must see (outputs of pass-through ops are covered by their input).</summary>
    public required IReadOnlyList<string> ObservedTensors { get; init; }

    /// <summary>The average pools whose input is quantized (recorded by node, as AMCT does).</summary>
    public IReadOnlyList<QuantizedPool> Pools { get; init; } = [];

    /// <summary>The same plan with other reasons for the layers left in float.</summary>
    public QuantizationPlan WithSkipped(IReadOnlyList<SkippedLayer> skipped) => new()
    {
        Layers = Layers,
        Skipped = skipped,
        Folds = Folds,
        WeightOnly = WeightOnly,
        QuantizedTensors = QuantizedTensors,
        Groups = Groups,
        ObservedTensors = ObservedTensors,
        Pools = Pools,
    };

    /// <summary>
    /// The plan of a graph nothing could be calibrated on, planned with float activations: each layer it gives int8
    /// weights becomes weight-only for <paramref name="reason"/> (layers already weight-only keep their own reason).
    /// </summary>
    public QuantizationPlan AllWeightOnly(string reason) => new()
    {
        Layers = [],
        Skipped = Skipped,
        Folds = [],
        WeightOnly = Layers
            .Select(l => new WeightOnlyLayer(l.Name, l.OpType, [new WeightOnlyWeight(l.Weight, l.Roles.Weight.Input, l.WeightAxis)], reason))
            .Concat(WeightOnly)
            .ToList(),
        QuantizedTensors = [],
        Groups = [],
        ObservedTensors = [],
    };

    /// <summary>
    /// The same plan with these tensors left in float (a record gave them no factors and there was nothing to calibrate
    /// them on): their groups go, and so do the activation folds and pools that relied on them.
    /// </summary>
    public QuantizationPlan WithoutTensors(IReadOnlySet<string> tensors) => new()
    {
        Layers = Layers,
        Skipped = Skipped,
        WeightOnly = WeightOnly,
        Folds = Folds.Where(f => !tensors.Contains(f.Output)).ToList(),
        QuantizedTensors = QuantizedTensors.Where(t => !tensors.Contains(t)).ToList(),
        Groups = Groups.Select(g => (IReadOnlyList<string>)g.Where(t => !tensors.Contains(t)).ToList()).Where(g => g.Count > 0).ToList(),
        ObservedTensors = ObservedTensors.Where(t => !tensors.Contains(t)).ToList(),
        Pools = Pools.Where(p => !tensors.Contains(p.Input)).ToList(),
    };
}
