using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// AveragePool and GlobalAveragePool: input and output quantized with their own factors, which ONNX Runtime fuses
/// into QLinearAveragePool / QLinearGlobalAveragePool. Only when the input is already quantized: quantizing an
/// isolated pool would add Q/DQ work without an int8 neighbour to gain from.
/// </summary>
public sealed class PoolRule : IOpRule
{
    public IReadOnlyCollection<string> OpTypes { get; } = ["AveragePool", "GlobalAveragePool"];
    public RulePhase Phase => RulePhase.Follower;

    public void Apply(NodeProto node, PlanBuilder plan)
    {
        if (plan.FollowsQuantizedInput(node))
        {
            plan.AddPool(node);
            plan.QuantizeOutputUnlessGraphOutput(node);
        }
    }
}
