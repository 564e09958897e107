using System.Globalization;
using System.Text;

namespace Amct.Engine.Formats.Html;

/// <summary>The HTML report's sections about layers and tensors, each drawn from one part of the report.</summary>
internal static class LayerSections
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>The per-layer error along the network: where the error enters (the output error says how much).</summary>
    public static void Errors(StringBuilder html, QuantReport r)
    {
        HtmlReport.Section(html, "layer-errors", "Error along the network");
        if (r.LayerErrors is not { Layers.Count: > 0 } errors)
        {
            HtmlReport.Note(html, "Not measured: LayerErrors is off, nothing was evaluated, the model is a QAT import, or no int8 layer output could be compared.");
            HtmlReport.EndSection(html);
            return;
        }
        HtmlReport.Note(html, string.Create(C,
            $"Each int8 layer's output against the float model's, in graph order, on {errors.Samples} sample{(errors.Samples == 1 ? "" : "s")} " +
            $"({errors.Seconds:0.00} s). A drop in SQNR marks where the error enters; a layer far below its predecessors is a candidate for SkipLayers."));
        html.Append("<div class=\"scroll\">\n");
        LineChart.Render(html, errors.Layers.Select(l => new ChartPoint(l.Layer, l.SqnrDb, "int8",
            string.Create(C, $"{l.Layer} ({l.OpType}): SQNR {l.SqnrDb:0.00} dB, cosine {l.CosineMean:0.000000}"))).ToList(),
            "SQNR dB", "SQNR of each int8 layer's output against float, in graph order");
        html.Append("</div>\n");
        HtmlTable.Write(html, ["#", "layer", "op", "tensor compared", "SQNR dB", "cosine mean", "cosine worst", "max abs error"],
            errors.Layers.Select((l, i) => (IReadOnlyList<Cell>)
            [
                new Cell((i + 1).ToString(C), Numeric: true), Cell.Name(l.Layer), l.OpType, Cell.Name(l.Output),
                Cell.Number(l.SqnrDb), Cell.Number(l.CosineMean, "0.000000"), Cell.Number(l.CosineWorst, "0.000000"),
                Cell.Number(l.MaxAbsError, "G4"),
            ]), "layer-row");
        HtmlReport.EndSection(html);
    }

    /// <summary>What the fallback measured (output SQNR with only that layer int8), and every layer's weight SQNR.</summary>
    public static void Sensitivity(StringBuilder html, QuantReport r)
    {
        HtmlReport.Section(html, "sensitivity", "Layer sensitivity");
        if (r.Fallback is { Ranking.Count: > 0 } fallback)
        {
            var reverted = fallback.Reverted.ToHashSet(StringComparer.Ordinal);
            HtmlReport.Note(html, "Measured by the fallback: the model output's SQNR when only that layer is int8, on the samples the int8 model gets most wrong. Most sensitive first; orange layers were kept in float.");
            BarChart.Render(html, fallback.Ranking.Select(s => new Bar(s.Layer, s.SqnrDb, reverted.Contains(s.Layer) ? "float" : "int8",
                string.Create(C, $"{s.Layer} ({s.OpType}): output SQNR {s.SqnrDb:0.00} dB, cosine {s.CosineMean:0.000000}{(reverted.Contains(s.Layer) ? ", kept float" : "")}"))).ToList(),
                v => string.Create(C, $"{v:0.00} dB"), "output SQNR with only one layer int8, per layer");
        }
        else
        {
            HtmlReport.Note(html, "No fallback ran, so no layer was measured alone. Below: how well each layer's weights fit int8.");
        }
        if (r.Layers.Count > 0)
        {
            html.Append("<h3>Weight SQNR</h3>\n");
            BarChart.Render(html, r.Layers.Select(l => new Bar(l.Name, l.WeightSqnrDb, "int8",
                string.Create(C, $"{l.Name} ({l.OpType}): weight SQNR {l.WeightSqnrDb:0.00} dB, {l.WeightGranularity}, {l.Channels} channel(s)"))).ToList(),
                v => string.Create(C, $"{v:0.00} dB"), "weight SQNR per int8 layer");
        }
        HtmlReport.EndSection(html);
    }

    /// <summary>Each quantized activation: histogram, observed range, clip range; and the factors in a table.</summary>
    public static void Activations(StringBuilder html, QuantReport r)
    {
        if (r.Tensors.Count == 0)
        {
            return;
        }
        HtmlReport.Section(html, "activations", "Activation ranges");
        HtmlReport.Note(html, "Per tensor, on its own scale: the calibration histogram (log heights) where one was kept, the observed range (light), the clip range the method chose (dark), and 0 (red).");
        RangeChart.Render(html, r.Tensors.Select(t => new RangeRow(t.Name, t.ObservedMin, t.ObservedMax, t.ClipMin, t.ClipMax, t.Histogram,
            string.Create(C, $"{t.Name}: {t.Algorithm}, observed [{Markup.Number(t.ObservedMin, "G6")}, {Markup.Number(t.ObservedMax, "G6")}], clip [{t.ClipMin:G6}, {t.ClipMax:G6}], scale {t.Scale:G6}, offset {t.Offset}"))).ToList(),
            "activation ranges per tensor");
        HtmlTable.Write(html, ["tensor", "group", "method", "observed min", "observed max", "clip min", "clip max", "scale", "offset", "SQNR dB"],
            r.Tensors.Select(t => (IReadOnlyList<Cell>)
            [
                Cell.Name(t.Name), new Cell(t.Group.ToString(C), Numeric: true), t.Algorithm, Cell.Number(t.ObservedMin, "G6"),
                Cell.Number(t.ObservedMax, "G6"), Cell.Number(t.ClipMin, "G6"), Cell.Number(t.ClipMax, "G6"), Cell.Number(t.Scale, "G6"),
                new Cell(t.Offset.ToString(C), Numeric: true), Cell.Number(t.SqnrDb),
            ]), "tensor-row");
        HtmlReport.EndSection(html);
    }

    /// <summary>The fallback curve: the output SQNR against how many layers were kept float, each step passed or failed.</summary>
    public static void Fallback(StringBuilder html, QuantReport r)
    {
        if (r.Fallback is not { } fallback)
        {
            return;
        }
        HtmlReport.Section(html, "fallback", "Fallback");
        HtmlReport.Note(html, string.Create(C,
            $"Ranking took {fallback.RankingSeconds:0.00} s, the search {fallback.SearchSeconds:0.00} s. {ReportWording.FallbackOutcome(fallback).Replace("`", "", StringComparison.Ordinal)}"));
        if (fallback.SixteenBitStep is { } step16)
        {
            HtmlReport.Note(html, $"16-bit step: {step16.Outcome}." +
                (step16.Int16Ops is { } ops ? $" ONNX Runtime runs the 16-bit model as {ReportWording.Ops(ops)}." : ""));
        }
        // 16-bit steps first (the search tries them first), each search by layer count.
        var steps = fallback.Steps.OrderBy(s => s.SixteenBit ? 0 : 1).ThenBy(s => s.RevertedCount).ToList();
        if (steps.Count > 0)
        {
            LineChart.Render(html, steps.Select(s => new ChartPoint(s.RevertedCount.ToString(C) + (s.SixteenBit ? " (16-bit)" : ""), s.SqnrDb, s.Passed ? "pass" : "fail",
                string.Create(C, $"{s.RevertedCount} layer(s) {ReportWording.FallbackStepKind(s)}: {(s.Passed ? "passes" : "fails")}, SQNR {s.SqnrDb:0.00} dB, cosine {s.CosineMean:0.0000}"))).ToList(),
                "output SQNR dB", "output SQNR against the number of layers taken out of int8 (green passes, red fails)");
        }
        HtmlTable.Write(html, ["layers out of int8", "as", "passed", "top-1", "top-1 agreement", "cosine", "SQNR dB"],
            steps.Select(s => (IReadOnlyList<Cell>)
            [
                new Cell(s.RevertedCount.ToString(C), Numeric: true), ReportWording.FallbackStepKind(s), s.Passed ? "yes" : "no", Cell.Number(s.Top1 * 100, "0.00'%'"),
                Cell.Number(s.Top1Agreement * 100, "0.00'%'"), Cell.Number(s.CosineMean, "0.0000"), Cell.Number(s.SqnrDb),
            ]), "fallback-row");
        HtmlReport.EndSection(html);
    }

    /// <summary>The latency-aware layer choice (OptimizeFor): per layer group, the decision and the measured gain.</summary>
    public static void Speed(StringBuilder html, QuantReport r)
    {
        if (r.SpeedChoice is not { } speed)
        {
            return;
        }
        HtmlReport.Section(html, "speed", "Layer choice for speed");
        HtmlReport.Note(html, $"OptimizeFor {speed.OptimizeFor}: {speed.Summary}");
        HtmlTable.Write(html, ["layer group", "layers", "decision", "measured gain in float"],
            speed.Groups.Select(g => (IReadOnlyList<Cell>)
            [
                g.Kind, new Cell(g.Layers.Count.ToString(C), Numeric: true), g.Outcome, Cell.Number(g.Gain * 100, "0.0'%'"),
            ]));
        HtmlReport.EndSection(html);
    }

    /// <summary>The ops ONNX Runtime runs in the optimized int8 model: how much of it became int8 kernels.</summary>
    public static void Ops(StringBuilder html, QuantReport r)
    {
        if (r.Latency?.Int8Ops is not { Count: > 0 } ops)
        {
            return;
        }
        HtmlReport.Section(html, "ops", "Ops ONNX Runtime runs");
        HtmlReport.Note(html, "After ONNX Runtime's graph optimizations, in the int8 model: fused int8 kernels (QLinear…, QGemm) in blue, the rest grey.");
        BarChart.Render(html, ops.Select(o => new Bar(o.OpType, o.Count, IsInt8Kernel(o.OpType) ? "int8" : "neutral",
            string.Create(C, $"{o.OpType}: {o.Count}"))).ToList(), v => v.ToString("0", C), "op counts in the optimized int8 model");
        HtmlReport.EndSection(html);
    }

    /// <summary>The layers left in float, and why.</summary>
    public static void FloatLayers(StringBuilder html, QuantReport r)
    {
        if (r.Skipped.Count == 0)
        {
            return;
        }
        HtmlReport.Section(html, "float-layers", "Layers kept in float");
        HtmlTable.Write(html, ["layer", "op", "why"], r.Skipped.Select(s => (IReadOnlyList<Cell>)[Cell.Name(s.Name), s.OpType, s.Reason]), "float-row");
        HtmlReport.EndSection(html);
    }

    private static bool IsInt8Kernel(string opType) =>
        opType.StartsWith("QLinear", StringComparison.Ordinal) || opType.EndsWith("Integer", StringComparison.Ordinal) || opType == "QGemm";
}
