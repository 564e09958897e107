using System.Globalization;
using System.Text;
using Amct.Engine.IO;
using Amct.Engine.Latency;

namespace Amct.Engine.Formats;

/// <summary>
/// The human report (<c>&lt;name&gt;.quant.md</c>): a summary table, the layers sorted by sensitivity (most sensitive
/// first, when the fallback ranked them; else by weight SQNR), the layers kept in float and why, the fallback steps and
/// the settings. Same data as the JSON report, for reading in a pull request or a build artifact.
/// </summary>
public static class MarkdownReport
{
    /// <param name="writer">Where the file goes (default: straight into place, atomically).</param>
    public static void Write(string path, QuantReport report, IFileWriter? writer = null)
    {
        var bytes = Encoding.UTF8.GetBytes(Format(report));
        (writer ?? AtomicFileWriter.Instance).Write(path, stream => stream.Write(bytes));
    }

    public static string Format(QuantReport r)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"# Quantization report: {Path.GetFileName(r.Model.Input)}");
        text.AppendLine();
        text.AppendLine("| | |");
        text.AppendLine("|---|---|");
        text.AppendLine(c, $"| output | `{Path.GetFileName(r.Model.Output)}` ({r.Model.OutputBytes:N0} bytes, {r.Model.SizeChange()}) |");
        var weightOnly = r.WeightOnly ?? [];
        if (weightOnly.Count == 0)
        {
            text.AppendLine(c, $"| layers | {r.Layers.Count} int8, {r.Skipped.Count} float |");
        }
        else
        {
            text.AppendLine(c, $"| layers | {r.Layers.Count} int8, {weightOnly.Count} weight-only (int8 weights, float compute), {r.Skipped.Count} float |");
        }
        if (r.Import is { } import)
        {
            text.AppendLine(c, $"| imported (QAT) | {import.DequantizeNodes} DequantizeLinear nodes, trained factors kept; compared with {import.Reference} |");
            foreach (var change in import.Changes)
            {
                text.AppendLine(c, $"| import change | {change} |");
            }
        }
        else
        {
            text.AppendLine(c, $"| calibration | {r.Calibration.Samples} samples, {r.Settings.Method}, {r.Settings.ActivationMode} activations, {r.Settings.ConvWeights} weights |");
        }
        if (r.WeightRounding is { } rounding)
        {
            text.AppendLine(c, $"| weight rounding | {rounding.Describe()} |");
        }
        if (r.BiasCorrection is { } correction)
        {
            text.AppendLine(c, $"| bias correction | {correction.Describe()} |");
        }
        if (r.Retraining is { } retraining)
        {
            text.AppendLine(c, $"| retraining | {retraining.Describe()}; loss {retraining.Sparkline()} |");
        }
        if (r.Evaluation is { } e)
        {
            text.AppendLine(c, $"| evaluation | {e.Samples} samples{(r.EvaluationInSample ? " (the calibration data: in-sample figures)" : "")} |");
            if (e is { FloatAccuracy: { } f, QuantizedAccuracy: { } q })
            {
                text.AppendLine(c, $"| top-1 | int8 {q.Top1:P2}, float {f.Top1:P2}, drop {(f.Top1 - q.Top1) * 100:0.00} points |");
                text.AppendLine(c, $"| top-5 | int8 {q.Top5:P2}, float {f.Top5:P2} |");
            }
            foreach (var o in e.Outputs)
            {
                var agreement = o.Top1Agreement is { } a ? string.Create(c, $"top-1 agreement {a:P2}, ") : "";
                text.AppendLine(c, $"| `{o.Output}` | {agreement}cosine {o.CosineMean:0.0000} (worst {o.CosineWorst:0.0000}), SQNR {o.SqnrDb:0.00} dB |");
            }
        }
        if (ReportWording.Gate(r) is { } gate)
        {
            text.AppendLine(c, $"| gate | {gate} |");
        }
        if (r.Latency is { } latency)
        {
            text.AppendLine(c, $"| latency | {ReportWording.Latency(latency)} |");
            if (latency.Int8Ops is { } ops)
            {
                text.AppendLine(c, $"| ONNX Runtime runs | {ReportWording.Ops(ops)} |");
            }
        }
        text.AppendLine(c, $"| time | {ReportWording.Time(r.Timings)} |");
        text.AppendLine();

        var sensitivity = r.Fallback?.Ranking.ToDictionary(x => x.Layer, x => x.SqnrDb) ?? [];
        // A tensor the main graph and an If branch both quantize (a value the branch reads) appears once per scope.
        var input = r.Tensors.GroupBy(t => t.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().SqnrDb, StringComparer.Ordinal);
        text.AppendLine("## Layers");
        text.AppendLine();
        text.AppendLine(sensitivity.Count > 0
            ? "Most sensitive first: output SQNR when only that layer is quantized, on the worst evaluation samples."
            : "Lowest weight SQNR first.");
        text.AppendLine();
        text.AppendLine("| layer | op | precision | sensitivity (output SQNR dB) | weight SQNR dB | input SQNR dB | scale_d | offset_d |");
        text.AppendLine("|---|---|---|---|---|---|---|---|");
        var sixteenBit = (r.Fallback?.Int16Layers ?? []).ToHashSet(StringComparer.Ordinal);
        var rows = r.Layers.Select(l => (l.Name, l.OpType, Precision: sixteenBit.Contains(l.Name) ? "int8, 16-bit input" : "int8", Sensitivity: sensitivity.GetValueOrDefault(l.Name, double.NaN),
                Weight: (double?)l.WeightSqnrDb, Input: input.GetValueOrDefault(l.Input), ScaleD: (float?)l.ScaleD, OffsetD: (int?)l.OffsetD))
            .Concat(weightOnly.Select(w => (w.Name, w.OpType, Precision: "weight-only: " + w.Reason, Sensitivity: double.NaN,
                Weight: (double?)null, Input: (double?)null, ScaleD: (float?)null, OffsetD: (int?)null)))
            .Concat(r.Skipped.Select(s => (s.Name, s.OpType, Precision: "float: " + s.Reason, Sensitivity: sensitivity.GetValueOrDefault(s.Name, double.NaN),
                Weight: (double?)null, Input: (double?)null, ScaleD: (float?)null, OffsetD: (int?)null)));
        rows = sensitivity.Count > 0
            ? rows.OrderBy(x => double.IsNaN(x.Sensitivity) ? double.MaxValue : x.Sensitivity)
            : rows.OrderBy(x => x.Weight ?? double.MaxValue);
        foreach (var row in rows)
        {
            var scale = row.ScaleD?.ToString("G6", c) ?? "–";
            var offset = row.OffsetD?.ToString(c) ?? "–";
            text.AppendLine(c, $"| `{row.Name}` | {row.OpType} | {row.Precision} | {Number(row.Sensitivity)} | {Number(row.Weight)} | {Number(row.Input)} | {scale} | {offset} |");
        }
        text.AppendLine();

        if (r.Fallback is { } fallback)
        {
            text.AppendLine("## Fallback");
            text.AppendLine();
            text.AppendLine(c, $"Ranking took {fallback.RankingSeconds:0.00} s, the search {fallback.SearchSeconds:0.00} s. {ReportWording.FallbackOutcome(fallback)}");
            if (fallback.SixteenBitStep is { } step16)
            {
                text.AppendLine();
                text.AppendLine(c, $"16-bit step: {step16.Outcome}.");
                if (step16.Int16Ops is { } ops)
                {
                    text.AppendLine(c, $"ONNX Runtime runs the 16-bit model as {ReportWording.Ops(ops)}.");
                }
            }
            if (fallback.Int16Tensors.Count > 0)
            {
                text.AppendLine();
                text.AppendLine(c, $"16-bit activations: {string.Join(", ", fallback.Int16Tensors.Select(t => $"`{t}`"))} (the record holds their int8 factors: AMCT's ONNX record has no 16-bit type).");
            }
            text.AppendLine();
            text.AppendLine("| layers out of int8 | as | passed | top-1 | top-1 agreement | cosine | SQNR dB |");
            text.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var step in fallback.Steps)
            {
                var top1 = step.Top1 is { } t ? t.ToString("P2", c) : "–";
                var agreement = step.Top1Agreement is { } a ? a.ToString("P2", c) : "–";
                text.AppendLine(c, $"| {step.RevertedCount} | {ReportWording.FallbackStepKind(step)} | {(step.Passed ? "yes" : "no")} | {top1} | {agreement} | {step.CosineMean:0.0000} | {step.SqnrDb:0.00} |");
            }
            text.AppendLine();
        }

        if (r.SpeedChoice is { } speed)
        {
            AppendSpeedChoice(text, speed);
        }
        if (r.Retraining is { LossCurve.Count: > 0 } curve)
        {
            AppendLossCurve(text, curve);
        }

        if (r.Balanced is { } balanced)
        {
            text.AppendLine("## DMQ balancing");
            text.AppendLine();
            text.AppendLine("| tensor | layers | channels | factors | division |");
            text.AppendLine("|---|---|---|---|---|");
            foreach (var b in balanced)
            {
                text.AppendLine(c, $"| `{b.Tensor}` | {string.Join(", ", b.Layers.Select(l => $"`{l}`"))} | {b.Channels} | {b.MinFactor:G3}–{b.MaxFactor:G3} | {b.Placement} |");
            }
            text.AppendLine();
        }

        text.AppendLine("## Settings");
        text.AppendLine();
        var s = r.Settings;
        text.AppendLine(c, $"- method `{s.Method}`, activations `{s.ActivationMode}`, Conv weights `{s.ConvWeights}`, Gemm/MatMul weights `{s.MatMulWeights}`");
        text.AppendLine(c, $"- batch size {s.BatchSize}, samples {(s.SampleCount?.ToString(c) ?? "all")}, BatchNormalization folding {(s.DoFusion ? "on" : "off")}");
        if (s.SkipLayers.Count + s.SkipOpTypes.Count > 0)
        {
            text.AppendLine(c, $"- skipped layers: {string.Join(", ", s.SkipLayers)}; skipped op types: {string.Join(", ", s.SkipOpTypes)}");
        }
        if (s.ConfigFile is not null)
        {
            text.AppendLine(c, $"- AMCT config: `{s.ConfigFile}`");
        }
        return text.ToString();
    }

    /// <summary>Retraining's mean training loss per epoch, and the held-out loss when measured, as a table.</summary>
    private static void AppendLossCurve(StringBuilder text, RetrainReport retraining)
    {
        var c = CultureInfo.InvariantCulture;
        var heldOut = retraining.HeldOutLossCurve;
        text.AppendLine("## Retraining");
        text.AppendLine();
        text.AppendLine(c, $"Mean training loss per epoch ({retraining.Mode}, on `{retraining.TrainingData}`): {retraining.Sparkline()}");
        text.AppendLine();
        if (retraining.TrainingLabels is { } labels)
        {
            text.AppendLine(c, $"The loss adds the cross-entropy with the labels of `{labels}` to the distillation loss.");
            text.AppendLine();
        }
        if (heldOut is not null)
        {
            var before = retraining.HeldOutLossAtStart is { } start ? string.Create(c, $"; {start:G6} before training") : "";
            text.AppendLine(c, $"Held-out loss: after each epoch, on the first {retraining.HeldOutSamples} samples of `{retraining.HeldOutData}`{before}.");
            text.AppendLine();
        }
        if (retraining.KeptEpoch is { } kept)
        {
            text.AppendLine(kept == 0
                ? "Shipped: the post-training model (epoch 0): no epoch lowered its held-out loss."
                : string.Create(c, $"Shipped: epoch {kept}, the lowest held-out loss."));
            text.AppendLine();
        }
        text.AppendLine(heldOut is null ? "| epoch | loss |" : "| epoch | loss | held-out loss |");
        text.AppendLine(heldOut is null ? "|---|---|" : "|---|---|---|");
        for (var i = 0; i < retraining.LossCurve.Count; i++)
        {
            text.AppendLine(heldOut is null
                ? string.Create(c, $"| {i + 1} | {retraining.LossCurve[i]:G6} |")
                : string.Create(c, $"| {i + 1} | {retraining.LossCurve[i]:G6} | {(i < heldOut.Count ? heldOut[i].ToString("G6", c) : "–")} |"));
        }
        text.AppendLine();
    }

    /// <summary>The latency-aware layer choice: per layer group, the decision and the measured gain of those kept float.</summary>
    private static void AppendSpeedChoice(StringBuilder text, SpeedChoiceReport speed)
    {
        var c = CultureInfo.InvariantCulture;
        text.AppendLine("## Layer choice for speed");
        text.AppendLine();
        text.AppendLine(c, $"OptimizeFor `{speed.OptimizeFor}`: {speed.Summary}");
        text.AppendLine();
        text.AppendLine("| layer group | layers | decision | measured gain in float |");
        text.AppendLine("|---|---|---|---|");
        foreach (var group in speed.Groups)
        {
            var gain = group.Gain is { } g ? string.Create(c, $"{g * 100:0.0}%") : "–";
            text.AppendLine(c, $"| {group.Kind} | {group.Layers.Count} | {group.Outcome} | {gain} |");
        }
        text.AppendLine();
    }

    private static string Number(double? value) =>
        value is { } v && !double.IsNaN(v) ? v.ToString("0.00", CultureInfo.InvariantCulture) : "–";
}
