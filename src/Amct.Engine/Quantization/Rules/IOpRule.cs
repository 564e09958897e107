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
/// quantize and which must share factors. Adding support for an op is adding one small rule and one registry line
/// in <see cref="OpRules"/>; an op with a weight derives from <see cref="WeightedOpRule"/>.
/// </summary>
public interface IOpRule
{
    IReadOnlyCollection<string> OpTypes { get; }

    RulePhase Phase { get; }

    void Apply(NodeProto node, PlanBuilder plan);
}
