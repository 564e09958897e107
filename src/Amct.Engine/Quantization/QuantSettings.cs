namespace Amct.Engine.Quantization;

/// <summary>
/// How activations are quantized: AMCT's <c>activation_offset</c> (asymmetric), offset 0 (symmetric), or not at all
/// (weight-only: int8 weights behind DequantizeLinear, every activation float, so ONNX Runtime runs each layer in float
/// on the dequantized weights; the file shrinks, the arithmetic does not change).
/// </summary>
public enum ActivationMode
{
    Asymmetric,
    Symmetric,
    None,
}

/// <summary>One weight scale per output channel (or Gemm/MatMul output column), or one for the whole tensor.</summary>
public enum WeightGranularity
{
    PerChannel,
    PerTensor,
}
