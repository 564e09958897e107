namespace Amct.Engine.Quantization;

/// <summary>How activations are quantized: AMCT's <c>activation_offset</c> (asymmetric) or offset 0 (symmetric).</summary>
public enum ActivationMode
{
    Asymmetric,
    Symmetric,
}

/// <summary>One weight scale per output channel (or Gemm/MatMul output column), or one for the whole tensor.</summary>
public enum WeightGranularity
{
    PerChannel,
    PerTensor,
}
