using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;

namespace Amct.Bench;

/// <summary>
/// The measurements behind the defaults: accuracy of the quantized model, run by ONNX Runtime with its fused int8
/// kernels, for every range method and for the storage variants that change what those kernels compute on this CPU
/// (signed activations, 7-bit weights, per-tensor weights).
/// </summary>
internal static class DefaultsStudy
{
    public sealed record Case(string Name, string Model, string Calibration, string Evaluation, string Labels,
        Func<QuantizeRequest, QuantizeRequest>? Data = null);

    private static readonly (string Name, Func<QuantizeRequest, QuantizeRequest> Apply)[] Variants =
    [
        ("u8 act, s8 per-channel w (default)", r => r),
        ("s8 act, s8 per-channel w", r => r with { SignedActivationStorage = true }),
        ("symmetric act (offset 0), s8 per-channel w", r => r with { Activation = ActivationMode.Symmetric }),
        ("u8 act, 7-bit per-channel w", r => r with { WeightBits = 7 }),
        ("u8 act, s8 per-tensor Gemm/MatMul w", r => r with { MatMulWeights = WeightGranularity.PerTensor }),
        ("u8 act, s8 per-tensor w", r => r with { ConvWeights = WeightGranularity.PerTensor, MatMulWeights = WeightGranularity.PerTensor }),
    ];

    public static void Run(Case study, string scratch, TextWriter output)
    {
        output.WriteLine($"### Accuracy on the fused int8 graph: {study.Name}");
        output.WriteLine("| method | variant | top-1 int8 | top-1 float | drop (points) | top-1 agreement | cosine mean | SQNR dB |");
        output.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var method in Amct.Engine.Calibration.RangeMethods.Names)
        {
            Row(study, scratch, output, method, Variants[0]);
        }
        foreach (var variant in Variants.Skip(1))
        {
            Row(study, scratch, output, Amct.Engine.Calibration.RangeMethods.DefaultName, variant);
        }
        output.WriteLine();
    }

    private static void Row(Case study, string scratch, TextWriter output, string method,
        (string Name, Func<QuantizeRequest, QuantizeRequest> Apply) variant)
    {
        var request = new QuantizeRequest
        {
            ModelPath = study.Model,
            CalibrationData = study.Calibration,
            EvaluationData = study.Evaluation,
            EvaluationLabels = study.Labels,
            OutputDirectory = scratch,
            Method = method,
        };
        request = variant.Apply(study.Data?.Invoke(request) ?? request);
        var evaluation = QuantizationJob.Run(request, new CollectingLog()).Report.Evaluation!;
        var q = evaluation.QuantizedAccuracy!.Top1;
        var f = evaluation.FloatAccuracy!.Top1;
        var o = evaluation.Outputs.First(x => x.Output == evaluation.LabeledOutput);
        output.WriteLine($"| {method} | {variant.Name} | {q:P2} | {f:P2} | {(f - q) * 100:0.00} | {o.Top1Agreement:P2} | {o.CosineMean:0.0000} | {o.SqnrDb:0.00} |");
    }
}
