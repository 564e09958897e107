using System.Globalization;
using Amct.Engine.Formats;
using Amct.Engine.Pipeline;

namespace Amct.Engine.Latency;

/// <summary>
/// Whether the fallback's 16-bit layers may ship instead of the same layers in float: ONNX Runtime has no 16-bit
/// QLinearConv/QGemm on CPU, so such a layer runs DequantizeLinear → float op → QuantizeLinear, which can cost more than
/// the float layer. The 16-bit model is kept when it is at most <see cref="NoiseRatio"/> of the float configuration's
/// time (what a busy machine's timing of two equal models moves by); slower than that, the layers go to float, whose
/// model is larger but faster. Unlike the speed search there is no absolute floor: on digits-cnn the 16-bit model was
/// only 0.02 ms slower, but that made the shipped model 1.72× the float one's time instead of 1.35×.
/// </summary>
internal static class Int16Rule
{
    public const double NoiseRatio = 1.05;

    public static Int16Decision Decide(LatencyReport timing)
    {
        var c = CultureInfo.InvariantCulture;
        var comparison = LatencyComparison.From(timing);
        var ratio = comparison.WorseRatio;
        var figures = string.Create(c, $"{ratio:0.00}× the same layers in float ({comparison.CurrentMs:0.###} → {comparison.CandidateMs:0.###} ms)");
        return ratio <= NoiseRatio
            ? new Int16Decision(true, string.Create(c, $"16-bit activations kept: {figures}, within {NoiseRatio:0.00}×"), comparison, timing.Int8Ops)
            : new Int16Decision(false, string.Create(c, $"16-bit activations pass the gate but run at {figures}, above {NoiseRatio:0.00}×; the layers go to float instead"),
                comparison, timing.Int8Ops);
    }
}
