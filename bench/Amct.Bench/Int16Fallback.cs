using System.Globalization;
using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;

namespace Amct.Bench;

/// <summary>
/// The fallback's 16-bit step against plain float fallback: per model, plain int8 first (its output SQNR), then a
/// MinSqnrDb gate a few dB above it, with Int16Fallback on and off. One row each: which layers left int8 and how, the
/// final SQNR and top-1 agreement, the file size, the job's own int8/float latency, and the 16-bit step's timing
/// against the same layers in float with the ops ONNX Runtime runs for it.
/// </summary>
internal static class Int16Fallback
{
    public static void Run(DefaultsStudy.Case study, double marginDb, string scratch, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        var baseline = Request(study, Path.Combine(scratch, "int16-plain"));
        var plain = QuantizationJob.Run(baseline, new CollectingLog()).Report;
        var gate = Math.Round(plain.Evaluation!.Outputs[0].SqnrDb + marginDb, 2);
        output.WriteLine(string.Create(c, $"### 16-bit fallback step: {study.Name}, MinSqnrDb {gate:0.00} (plain int8 {plain.Evaluation.Outputs[0].SqnrDb:0.00} dB)"));
        output.WriteLine("| run | 16-bit layers (tensors) | float layers | SQNR dB | top-1 agreement | size KiB | int8/float latency | fallback s | 16-bit step |");
        output.WriteLine("|---|---|---|---|---|---|---|---|---|");
        Row(output, "plain int8, no gate", plain);
        foreach (var (name, on) in new[] { ("gate, Int16Fallback on", true), ("gate, Int16Fallback off", false) })
        {
            var request = Request(study, Path.Combine(scratch, on ? "int16-on" : "int16-off")) with
            {
                Gate = new GateThresholds { MinSqnrDb = gate },
                Int16Fallback = on,
                AccuracyFailureIsWarning = true,
                QualityFloor = false,
            };
            Row(output, name, QuantizationJob.Run(request, new CollectingLog()).Report);
        }
        output.WriteLine();
    }

    private static QuantizeRequest Request(DefaultsStudy.Case study, string folder)
    {
        Directory.CreateDirectory(folder);
        return study.Request(folder);
    }

    private static void Row(TextWriter output, string name, Amct.Engine.Formats.QuantReport report)
    {
        var c = CultureInfo.InvariantCulture;
        var primary = report.Evaluation!.Outputs[0];
        var fallback = report.Fallback;
        var sixteen = fallback is { Int16Layers.Count: > 0 }
            ? $"{fallback.Int16Layers.Count} ({fallback.Int16Tensors.Count})"
            : "0";
        var step = fallback?.SixteenBitStep is { } decision
            ? decision.Outcome + (decision.Int16Ops is { } ops ? "; runs " + string.Join(", ", ops.Select(o => $"{o.OpType} ×{o.Count}")) : "")
            : "–";
        var latency = report.Latency is { } l ? string.Create(c, $"{l.Ratio:0.00}×") : "–";
        output.WriteLine(string.Create(c,
            $"| {name} | {sixteen} | {fallback?.Reverted.Count ?? 0} | {primary.SqnrDb:0.00} | {primary.Top1Agreement:P1} | " +
            $"{report.Model.OutputBytes / 1024.0:0.0} | {latency} | {report.Timings.FallbackSeconds:0.0} | {step} |"));
        if (fallback is not null)
        {
            // Every step, for the record of what the search tried.
            foreach (var tried in fallback.Steps)
            {
                Console.Error.WriteLine(string.Create(c, $"{name}: {tried.RevertedCount} layer(s) {(tried.SixteenBit ? "16-bit" : "float")}: " +
                    $"{(tried.Passed ? "passes" : "fails")}, {tried.SqnrDb:0.00} dB ({string.Join(", ", tried.Reverted)})"));
            }
        }
    }
}
