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
    /// <summary>A model with its data; <paramref name="Labels"/> null for a model without class labels.</summary>
    public sealed record Case(string Name, string Model, string Calibration, string Evaluation, string? Labels,
        Func<QuantizeRequest, QuantizeRequest>? Data = null)
    {
        /// <summary>The case's model and data with every setting at its default, outputs into <paramref name="folder"/>.</summary>
        public QuantizeRequest Request(string folder)
        {
            var request = new QuantizeRequest
            {
                ModelPath = Model,
                CalibrationData = Calibration,
                EvaluationData = Evaluation,
                EvaluationLabels = Labels,
                OutputDirectory = folder,
            };
            return Data?.Invoke(request) ?? request;
        }
    }

    private static readonly (string Name, Func<QuantizeRequest, QuantizeRequest> Apply)[] Variants =
    [
        ("u8 act, s8 per-channel w (default)", r => r),
        ("s8 act, s8 per-channel w", r => r with { SignedActivationStorage = true }),
        ("symmetric act (offset 0), s8 per-channel w", r => r with { Activation = ActivationMode.Symmetric }),
        ("u8 act, 7-bit per-channel w", r => r with { WeightBits = 7 }),
        ("u8 act, s8 per-tensor Gemm/MatMul w", r => r with { MatMulWeights = WeightGranularity.PerTensor }),
        ("u8 act, s8 per-tensor w", r => r with { ConvWeights = WeightGranularity.PerTensor, MatMulWeights = WeightGranularity.PerTensor }),
    ];

    /// <summary>Algorithms on top of the default method, each behind its own switch.</summary>
    private static readonly (string Key, string Name, Func<QuantizeRequest, QuantizeRequest> Apply)[] Algorithms =
    [
        ("weight-range-search", "default storage, weight range search", r => r with { WeightRangeSearch = true }),
        ("dmq-balancing", "default storage, DMQ balancing", r => r with { DmqBalancing = true }),
        ("no-bias-correction", "default storage, bias correction off", r => r with { BiasCorrection = false }),
        ("auto-no-bias-correction", "output-aware ranges (auto), bias correction off", r => r with { Method = "auto", BiasCorrection = false }),
        ("bias-correction", "default storage, bias correction on", r => r with { BiasCorrection = true }),
        ("auto-bias-correction", "output-aware ranges (auto), bias correction on", r => r with { Method = "auto", BiasCorrection = true }),
        ("nearest-rounding", "default storage, weights rounded to nearest", r => r with { WeightRounding = Amct.Engine.Quantization.Rounding.WeightRounding.Nearest }),
        ("hessian-rounding", "default storage, Hessian-guided weight rounding", r => r with { WeightRounding = Amct.Engine.Quantization.Rounding.WeightRounding.Hessian }),
        ("range-refinement", "default storage, range refinement", r => r with { RangeRefinement = true }),
        ("auto-range-refinement", "output-aware ranges (auto), range refinement", r => r with { Method = "auto", RangeRefinement = true }),
    ];

    /// <param name="variants">False: the range methods and algorithms only, with the default storage.</param>
    /// <param name="methods">The range methods and algorithm keys (e.g. no-bias-correction) to measure (default: all).</param>
    /// <param name="algorithms">Measure every algorithm switch, whatever <paramref name="methods"/> names.</param>
    /// <param name="common">Applied to every row's request (e.g. every layer int8, so no timing decides what is measured).</param>
    public static void Run(Case study, string scratch, TextWriter output, bool variants = true, IReadOnlyCollection<string>? methods = null,
        bool algorithms = false, Func<QuantizeRequest, QuantizeRequest>? common = null)
    {
        var baseCase = common is null ? study : study with { Data = r => common(study.Data?.Invoke(r) ?? r) };
        output.WriteLine($"### Accuracy on the fused int8 graph: {study.Name}");
        output.WriteLine("| method | variant | top-1 int8 | top-1 float | drop (points) | top-1 agreement | cosine mean | SQNR dB | calibration s |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var method in Amct.Engine.Calibration.RangeMethods.Names.Where(m => methods is null || methods.Contains(m)))
        {
            Row(baseCase, scratch, output, method, Variants[0]);
        }
        foreach (var algorithm in Algorithms.Where(a => algorithms || methods is null || methods.Contains(a.Key)))
        {
            Row(baseCase, scratch, output, Amct.Engine.Calibration.RangeMethods.DefaultName, (algorithm.Name, algorithm.Apply));
        }
        foreach (var variant in Variants.Skip(1).Where(_ => variants))
        {
            Row(baseCase, scratch, output, Amct.Engine.Calibration.RangeMethods.DefaultName, variant);
        }
        output.WriteLine();
    }

    private static void Row(Case study, string scratch, TextWriter output, string method,
        (string Name, Func<QuantizeRequest, QuantizeRequest> Apply) variant)
    {
        var request = variant.Apply(study.Request(scratch) with { Method = method });
        var log = new CollectingLog();
        var report = QuantizationJob.Run(request, log).Report;
        foreach (var line in log.Messages.Where(m => m.StartsWith("bias correction", StringComparison.Ordinal) || m.StartsWith("output-aware", StringComparison.Ordinal) ||
            m.StartsWith("weight rounding", StringComparison.Ordinal) ||
            m.StartsWith("range refinement", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine($"{study.Name}, {request.Method}, {variant.Name}: {line}");
        }
        if (report.Evaluation is not { } evaluation)
        {
            // A model with nothing to quantize (melspectrogram: its only layer feeds a Log) is written unchanged.
            output.WriteLine($"| {request.Method} | {variant.Name} | nothing quantized: the model is written unchanged | | | | | | |");
            return;
        }
        var q = evaluation.QuantizedAccuracy?.Top1;
        var f = evaluation.FloatAccuracy?.Top1;
        var o = evaluation.Outputs.FirstOrDefault(x => x.Output == evaluation.LabeledOutput) ?? evaluation.Outputs[0];
        var drop = q is { } quantized && f is { } full ? $"{(full - quantized) * 100:0.00}" : "—";
        var balanced = report.Balanced is { } b ? $" ({b.Count} tensors balanced)" : "";
        output.WriteLine($"| {request.Method} | {variant.Name}{balanced} | {Percent(q)} | {Percent(f)} | {drop} | " +
            $"{Percent(o.Top1Agreement)} | {o.CosineMean:0.0000} | {o.SqnrDb:0.00} | {report.Timings.CalibrateSeconds:0.00} |");
    }

    private static string Percent(double? value) => value is { } v ? $"{v:P2}" : "—";
}
