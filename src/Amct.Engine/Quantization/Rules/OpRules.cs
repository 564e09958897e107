using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// The registry from op type to rule (one small file per op family beside it): the one list of what the planner
/// quantizes. Everything else that needs to know which ops carry a weight (inspect, the planner's float-producer
/// check, the nothing-to-quantize message) asks this registry.
/// </summary>
public static class OpRules
{
    private static readonly IOpRule[] All =
    [
        new ConvRule(),
        new GemmRule(),
        new MatMulRule(),
        new MulRule(),
        new RecurrentRule(),
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

    /// <summary>The rule of a node whose op has a weight to quantize, or null.</summary>
    public static WeightedOpRule? WeightedFor(NodeProto node) => For(node) as WeightedOpRule;

    /// <summary>The op types that have a weight to quantize, in registration order.</summary>
    public static IReadOnlyList<string> WeightedOpTypes { get; } = All.OfType<WeightedOpRule>().SelectMany(r => r.OpTypes).ToList();

    /// <summary>
    /// Every op type whose weights end up int8: <see cref="WeightedOpTypes"/> and the ops only ever weight-only
    /// (<see cref="RecurrentRule"/>).
    /// </summary>
    public static IReadOnlyList<string> Int8WeightOpTypes { get; } =
        WeightedOpTypes.Concat(All.OfType<RecurrentRule>().SelectMany(r => r.OpTypes)).ToList();

    public static IReadOnlyCollection<string> KnownOpTypes => ByOpType.Keys;
}
