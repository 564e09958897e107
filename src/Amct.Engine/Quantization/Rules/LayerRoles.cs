namespace Amct.Engine.Quantization.Rules;

/// <summary>
/// How a weight's elements relate to the op's output channels, which decides the granularity setting that applies
/// (AMCT distinguishes convolutions from matrix products; so do our settings).
/// </summary>
public enum WeightKind
{
    /// <summary>A convolution kernel: per channel or per tensor as <see cref="PlanOptions.ConvWeights"/> says.</summary>
    ConvLike,

    /// <summary>A matrix-product operand: per channel or per tensor as <see cref="PlanOptions.MatMulWeights"/> says.</summary>
    MatMulLike,

    /// <summary>
    /// An operand of an elementwise op (Mul by a constant): one scale for the tensor whatever the settings, since
    /// ONNX Runtime's QLinearMul takes scalar scales only.
    /// </summary>
    Elementwise,
}

/// <summary>The weight of a weighted op: which input holds it, its output-channel axis and its kind.</summary>
/// <param name="Input">The node input the weight sits at.</param>
/// <param name="ChannelAxis">The weight axis of the output channels (used when the layer is quantized per channel), or
/// null when no single axis holds them: the weight is then always quantized per tensor.</param>
/// <param name="Kind">Decides which granularity setting applies.</param>
public sealed record WeightRole(int Input, int? ChannelAxis, WeightKind Kind);

/// <summary>The bias of a weighted op, quantized to int32 with the scale of the product it is added to.</summary>
/// <param name="Input">The node input the bias may sit at (absent or empty = no bias).</param>
/// <param name="StaysFloatIfNotConstant">What to do when the input holds something other than a constant float vector:
/// true keeps it as a float input of the int8 layer (Gemm's C may be any broadcastable tensor), false keeps the whole
/// layer in float (a convolution bias must be a vector to be folded into the int8 kernel).</param>
public sealed record BiasRole(int Input, bool StaysFloatIfNotConstant);

/// <summary>
/// Which input of a weighted node plays which part: the activation that is quantized with calibrated factors, the
/// constant weight quantized to int8, and the optional bias. Positions are whatever the op puts them at — a constant
/// first operand (Mul(W, x)) is as expressible as a constant second one.
/// </summary>
public sealed record LayerRoles(int Activation, WeightRole Weight, BiasRole? Bias = null);
