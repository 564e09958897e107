using System.Globalization;
using System.Text;
using Amct.Engine.IO;

namespace Amct.Engine.Formats.Html;

/// <summary>
/// The HTML report (<c>&lt;name&gt;.quant.html</c>): the JSON report's data drawn for people — summary and gate verdict,
/// size and latency, the per-layer error along the network, layer sensitivity, activation ranges and histograms, the
/// fallback curve, the speed choice, the ops ONNX Runtime runs. One self-contained file: inline CSS and SVG, no script,
/// nothing fetched, so it opens offline and from a build artifact. It is well-formed XHTML, every name from the model is
/// escaped, and the same report gives the same bytes.
/// </summary>
public static class HtmlReport
{
    /// <param name="path">Where the file goes.</param>
    /// <param name="report">The report to draw.</param>
    /// <param name="writer">Where the file goes (default: straight into place, atomically).</param>
    public static void Write(string path, QuantReport report, IFileWriter? writer = null)
    {
        var bytes = Encoding.UTF8.GetBytes(Format(report));
        (writer ?? AtomicFileWriter.Instance).Write(path, stream => stream.Write(bytes));
    }

    public static string Format(QuantReport r)
    {
        var html = new StringBuilder();
        var title = "Quantization report: " + Path.GetFileName(r.Model.Input);
        html.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
            .Append("<title>").Append(Markup.Escape(title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(Markup.Escape(title)).Append("</h1>\n");
        Summary(html, r);
        SizeAndLatency(html, r);
        LayerSections.Errors(html, r);
        LayerSections.Sensitivity(html, r);
        LayerSections.Activations(html, r);
        LayerSections.Fallback(html, r);
        LayerSections.Speed(html, r);
        LayerSections.Ops(html, r);
        LayerSections.FloatLayers(html, r);
        Settings(html, r);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Opens a section with its heading; <paramref name="id"/> is its anchor.</summary>
    internal static void Section(StringBuilder html, string id, string heading) =>
        html.Append("<section id=\"").Append(id).Append("\">\n<h2>").Append(Markup.Escape(heading)).Append("</h2>\n");

    internal static void EndSection(StringBuilder html) => html.Append("</section>\n");

    internal static void Note(StringBuilder html, string text) =>
        html.Append("<p class=\"note\">").Append(Markup.Escape(text)).Append("</p>\n");

    private static void Summary(StringBuilder html, QuantReport r)
    {
        var c = CultureInfo.InvariantCulture;
        Section(html, "summary", "Summary");
        var gate = ReportWording.Gate(r);
        var verdictClass = r.Gate switch
        {
            null => "unset",
            { Passed: true, Thresholds.Any: false } => "unset",
            { Passed: true } => "passed",
            _ => "failed",
        };
        html.Append("<p>Gate: <span class=\"verdict ").Append(verdictClass).Append("\">")
            .Append(Markup.Escape(gate ?? "not evaluated")).Append("</span></p>\n");
        var rows = new List<IReadOnlyList<Cell>>
        {
            new Cell[] { "output", Cell.Name(Path.GetFileName(r.Model.Output)) },
            new Cell[] { "size", string.Create(c, $"{r.Model.OutputBytes:N0} bytes (float {r.Model.InputBytes:N0} bytes), {r.Model.SizeChange()}") },
            new Cell[] { "layers", string.Create(c, $"{r.Layers.Count} int8, {r.Skipped.Count} float") },
        };
        rows.Add(r.Import is { } import
            ? ["imported (QAT)", string.Create(c, $"{import.DequantizeNodes} DequantizeLinear nodes, trained factors kept; compared with {import.Reference}")]
            : ["calibration", string.Create(c, $"{r.Calibration.Samples} samples, {r.Settings.Method}, {r.Settings.ActivationMode} activations, {r.Settings.ConvWeights} weights")]);
        if (r.Evaluation is { } e)
        {
            rows.Add(["evaluation", string.Create(c, $"{e.Samples} samples{(r.EvaluationInSample ? " (the calibration data: in-sample figures)" : "")}")]);
            if (e is { FloatAccuracy: { } f, QuantizedAccuracy: { } q })
            {
                rows.Add(["top-1", string.Create(c, $"int8 {q.Top1:P2}, float {f.Top1:P2}, drop {(f.Top1 - q.Top1) * 100:0.00} points")]);
                rows.Add(["top-5", string.Create(c, $"int8 {q.Top5:P2}, float {f.Top5:P2}")]);
            }
            foreach (var o in e.Outputs)
            {
                var agreement = o.Top1Agreement is { } a ? string.Create(c, $"top-1 agreement {a:P2}, ") : "";
                rows.Add([Cell.Name(o.Output), string.Create(c, $"{agreement}cosine {o.CosineMean:0.0000} (worst {o.CosineWorst:0.0000}), SQNR {o.SqnrDb:0.00} dB")]);
            }
        }
        if (r.Latency is { } latency)
        {
            rows.Add(["latency", ReportWording.Latency(latency)]);
        }
        rows.Add(["time", ReportWording.Time(r.Timings)]);
        HtmlTable.Write(html, ["", ""], rows);
        EndSection(html);
    }

    private static void SizeAndLatency(StringBuilder html, QuantReport r)
    {
        var c = CultureInfo.InvariantCulture;
        Section(html, "size-latency", "Size and latency");
        BarChart.Render(html,
        [
            new Bar("float model", r.Model.InputBytes, "float", string.Create(c, $"float model: {r.Model.InputBytes:N0} bytes")),
            new Bar("int8 model", r.Model.OutputBytes, "int8", string.Create(c, $"int8 model: {r.Model.OutputBytes:N0} bytes")),
        ], v => string.Create(c, $"{v / 1024:N1} KiB"), "model file sizes, float and int8");
        if (r.Latency is { } latency)
        {
            BarChart.Render(html,
            [
                new Bar("float latency", latency.FloatMs, "float", string.Create(c, $"float: {latency.FloatMs:0.###} ms")),
                new Bar("int8 latency", latency.Int8Ms, "int8", string.Create(c, $"int8: {latency.Int8Ms:0.###} ms")),
            ], v => string.Create(c, $"{v:0.###} ms"), "latency, float and int8");
            Note(html, ReportWording.Latency(latency));
        }
        else
        {
            Note(html, "Latency was not measured (MeasureLatency off, nothing quantized, or no data to time on).");
        }
        EndSection(html);
    }

    private static void Settings(StringBuilder html, QuantReport r)
    {
        var c = CultureInfo.InvariantCulture;
        var s = r.Settings;
        Section(html, "settings", "Settings");
        var items = new List<string>
        {
            $"method {s.Method}, activations {s.ActivationMode}, Conv weights {s.ConvWeights}, Gemm/MatMul weights {s.MatMulWeights}",
            string.Create(c, $"batch size {s.BatchSize}, samples {(s.SampleCount?.ToString(c) ?? "all")}, BatchNormalization folding {(s.DoFusion ? "on" : "off")}"),
        };
        if (s.SkipLayers.Count + s.SkipOpTypes.Count > 0)
        {
            items.Add($"skipped layers: {string.Join(", ", s.SkipLayers)}; skipped op types: {string.Join(", ", s.SkipOpTypes)}");
        }
        if (s.ConfigFile is not null)
        {
            items.Add($"AMCT config: {s.ConfigFile}");
        }
        items.Add($"{r.Tool.Name} {r.Tool.Version}");
        html.Append("<ul>\n");
        foreach (var item in items)
        {
            html.Append("<li>").Append(Markup.Escape(item)).Append("</li>\n");
        }
        html.Append("</ul>\n");
        EndSection(html);
    }

    private const string Style = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a202c; max-width: 1120px; margin: 24px auto; padding: 0 16px; }
        h1 { font-size: 22px; }
        h2 { font-size: 18px; border-bottom: 1px solid #e2e8f0; padding-bottom: 4px; margin-top: 32px; }
        table { border-collapse: collapse; margin: 8px 0; }
        th, td { border: 1px solid #e2e8f0; padding: 3px 8px; text-align: left; vertical-align: top; }
        th { background: #f7fafc; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
        .verdict { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: 600; }
        .verdict.passed { background: #c6f6d5; color: #22543d; }
        .verdict.failed { background: #fed7d7; color: #822727; }
        .verdict.unset { background: #edf2f7; color: #2d3748; }
        .scroll { overflow-x: auto; }
        p.note { color: #4a5568; }
        svg.chart { display: block; margin: 8px 0; }
        svg.chart text { font: 11px system-ui, sans-serif; fill: #2d3748; }
        svg .int8 { fill: #3182ce; }
        svg .float { fill: #dd6b20; }
        svg .neutral { fill: #718096; }
        svg .observed { fill: #bee3f8; }
        svg .clip { fill: #2c5282; }
        svg .histogram { fill: #90cdf4; }
        svg .zero { stroke: #e53e3e; stroke-width: 1; }
        svg .grid { stroke: #edf2f7; }
        svg .axis { stroke: #a0aec0; }
        svg .trace { fill: none; stroke: #3182ce; stroke-width: 2; }
        svg circle.pass { fill: #38a169; }
        svg circle.fail { fill: #e53e3e; }
        svg circle.int8 { fill: #3182ce; }
        svg g.row:hover text, svg g.point:hover text { fill: #000; font-weight: 600; }

        """;
}
