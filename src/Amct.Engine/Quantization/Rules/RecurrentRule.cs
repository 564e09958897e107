using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// LSTM, GRU and RNN: ONNX has no int8 form of a recurrent layer and ONNX Runtime no int8 kernel for one (its gates
/// run on float state every step), so the layer is weight-only (<see cref="WeightOnlyLayer"/>): its input weights W
/// and recurrence weights R int8 per gate row (axis 1 of [directions, gates × hidden, size]), its bias B and state float.
/// With the weight-only fallback off it stays float, saying why.
/// </summary>
internal sealed class RecurrentRule : IOpRule
{
    // Said of the layer weight-only (W and R int8) and, with the fallback off, of the layer kept float.
    private const string Why = "a recurrent layer has no int8 activation path (ONNX Runtime runs its gates in float)";

    private static readonly WeightRole[] Weights =
    [
        new(Input: 1, ChannelAxis: 1, WeightKind.MatMulLike),
        new(Input: 2, ChannelAxis: 1, WeightKind.MatMulLike),
    ];

    public IReadOnlyCollection<string> OpTypes { get; } = ["LSTM", "GRU", "RNN"];

    public RulePhase Phase => RulePhase.Anchor;

    public void Apply(NodeProto node, PlanBuilder plan) => plan.AddWeightOnly(node, Weights, Why);
}
