using static TorchSharp.torch;

namespace Amct.Qat.Training;

/// <summary>
/// Fake quantization written from round, clamp and detach, so autograd gives straight-through gradients (LSQ):
/// inside the range the rounding passes the gradient to the input unchanged, and the scale gets
/// <c>round(x/s) - x/s</c>; clipped values give the input nothing and the scale their code's bound. libtorch's own
/// fake_quantize ops have no TorchSharp binding.
/// </summary>
internal static class FakeQuant
{
    /// <summary>round(x) forwards, identity backwards (round half to even, as QuantizeLinear and the engine).</summary>
    public static Tensor RoundStraightThrough(Tensor x) => x + (x.round() - x).detach();

    /// <summary>An activation through an asymmetric int8 quantizer: (clamp(round(x/s) + o, -128, 127) - o)·s.</summary>
    public static Tensor Activation(Tensor x, Tensor scale, int offset) =>
        (RoundStraightThrough(x / scale) + offset).clamp(-128, 127).sub(offset).mul(scale);

    /// <summary>A weight through a symmetric quantizer with codes in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Tensor Weight(Tensor w, Tensor scale, int min, int max) =>
        RoundStraightThrough(w / scale).clamp(min, max).mul(scale);
}
