using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>When a rule runs: anchors first (they decide what is quantized), then folds, then followers in graph order.</summary>
public enum RulePhase
{
    /// <summary>Ops ONNX Runtime runs as int8 kernels with their own output factors (Conv, Gemm, Add, Concat…).</summary>
    Anchor,

    /// <summary>Activations that can disappear into their producer's output range (Relu, Clip).</summary>
    Fold,

    /// <summary>Ops that stay int8 when their input is (MaxPool, Reshape…): they follow what came before.</summary>
    Follower,
}

/// <summary>
/// How one op type is quantized. A rule inspects a node and tells the <see cref="PlanBuilder"/> which tensors to
/// quantize and which must share factors. Adding support for an op is adding one small rule and one registry line.
/// </summary>
public interface IOpRule
{
    IReadOnlyCollection<string> OpTypes { get; }

    RulePhase Phase { get; }

    void Apply(NodeProto node, PlanBuilder plan);
}

/// <summary>The registry from op type to rule.</summary>
public static class OpRules
{
    private static readonly IOpRule[] All =
    [
        new ConvRule(),
        new GemmRule(),
        new MatMulRule(),
        new AddRule(),
        new ConcatRule(),
        new PoolRule(),
        new ActivationFoldRule(),
        new PassThroughRule(),
    ];

    private static readonly Dictionary<string, IOpRule> ByOpType =
        All.SelectMany(rule => rule.OpTypes.Select(op => (op, rule))).ToDictionary(p => p.op, p => p.rule, StringComparer.Ordinal);

    public static IOpRule? For(NodeProto node) =>
        node.Domain is "" or "ai.onnx" ? ByOpType.GetValueOrDefault(node.OpType) : null;

    /// <summary>The op types that have a weight to quantize (for skip-by-type validation and inspect).</summary>
    public static IReadOnlyCollection<string> WeightedOpTypes { get; } = ["Conv", "ConvTranspose", "Gemm", "MatMul"];

    public static IReadOnlyCollection<string> KnownOpTypes => ByOpType.Keys;
}
