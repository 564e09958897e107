using System.Xml;
using System.Xml.Linq;
using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Formats.Html;
using Amct.Engine.Pipeline;
using Amct.Engine.Pipeline.Stages;
using Amct.Engine.Tests.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Formats;

/// <summary>
/// The HTML report of the committed digits CNN: a well-formed, self-contained page with its sections and charts, names
/// escaped, the same bytes for the same report, written with the other outputs.
/// </summary>
[TestClass]
public sealed class HtmlReportTests
{
    private static readonly XNamespace X = "http://www.w3.org/1999/xhtml";
    private static readonly XNamespace S = "http://www.w3.org/2000/svg";
    private static QuantizeResult? _digits;
    private static TempFolder? _temp;

    /// <summary>Digits with a gate it misses fully int8 (reported as a warning), so the fallback ranks every layer.</summary>
    internal static QuantizeRequest Request(string outputDirectory) => QuantizationJobTests.DigitsRequest(outputDirectory) with
    {
        Gate = new GateThresholds { MinSqnrDb = 60 },
        AccuracyFailureIsWarning = true,
        QualityFloor = false,
        MeasureLatency = false, // timing figures differ from run to run; these tests compare bytes
    };

    [ClassInitialize]
    public static void Quantize(TestContext _)
    {
        _temp = new TempFolder();
        _digits = QuantizationJob.Run(Request(_temp.Path), new CollectingLog());
    }

    [ClassCleanup]
    public static void Cleanup() => _temp?.Dispose();

    private static QuantizeResult Digits => _digits ?? throw new InvalidOperationException("not quantized");

    /// <summary>The page parsed as XML: it must be well-formed XHTML (the DOCTYPE carries no DTD to fetch).</summary>
    internal static XDocument Parse(string html)
    {
        using var reader = XmlReader.Create(new StringReader(html), new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        return XDocument.Load(reader);
    }

    [TestMethod]
    public void The_html_report_is_written_with_the_other_outputs_and_listed_in_the_json_report()
    {
        var path = Path.Combine(_temp!.Path, "digits-cnn" + OutputNames.HtmlReportSuffix);
        Assert.IsTrue(File.Exists(path));
        CollectionAssert.Contains(Digits.Files.ToList(), path);
        Assert.AreEqual(path, Digits.Report.HtmlReport);
        StringAssert.Contains(File.ReadAllText(Digits.ReportFile), "\"htmlReport\": ");
        Assert.AreEqual(HtmlReport.Format(Digits.Report), File.ReadAllText(path));
    }

    [TestMethod]
    public void The_page_is_well_formed_self_contained_and_has_every_section()
    {
        var html = File.ReadAllText(Digits.Report.HtmlReport!);
        var page = Parse(html);

        var sections = page.Descendants(X + "section").Select(s => (string?)s.Attribute("id")).ToList();
        CollectionAssert.IsSubsetOf(new[] { "summary", "size-latency", "layer-errors", "sensitivity", "activations", "fallback", "settings" }, sections);
        // Nothing to fetch or run: no script, no external reference, styles inline.
        Assert.IsFalse(page.Descendants().Any(e => e.Name.LocalName is "script" or "link" or "img" or "iframe"), "an element that loads something");
        Assert.IsFalse(page.Descendants().Attributes().Any(a => a.Name.LocalName is "src" or "href"), "an attribute that loads something");
        Assert.IsFalse(html.Contains("url(", StringComparison.Ordinal) || html.Contains("@import", StringComparison.Ordinal), "CSS that loads something");
        Assert.AreEqual(1, page.Descendants(X + "style").Count());

        // Charts: error along the network, sensitivity and weight SQNR, activation ranges, fallback curve, sizes.
        var charts = page.Descendants(S + "svg").ToList();
        Assert.IsGreaterThanOrEqualTo(6, charts.Count);
        var layerErrors = page.Descendants(X + "section").Single(s => (string?)s.Attribute("id") == "layer-errors");
        var points = layerErrors.Descendants(S + "circle").Count();
        var rows = layerErrors.Descendants(X + "tr").Count(r => (string?)r.Attribute("class") == "layer-row");
        Assert.AreEqual(Digits.Report.LayerErrors!.Layers.Count, points);
        Assert.AreEqual(Digits.Report.LayerErrors.Layers.Count, rows);
        var ranges = page.Descendants(X + "section").Single(s => (string?)s.Attribute("id") == "activations");
        Assert.AreEqual(Digits.Report.Tensors.Count, ranges.Descendants(X + "tr").Count(r => (string?)r.Attribute("class") == "tensor-row"));
        Assert.IsGreaterThan(0, ranges.Descendants(S + "rect").Count(r => (string?)r.Attribute("class") == "histogram"), "no histogram drawn");
        StringAssert.Contains(html, "Gate: <span class=\"verdict failed\">failed (reported as a warning)");
    }

    [TestMethod]
    public void Every_name_from_the_model_is_escaped()
    {
        const string hostile = "<script>alert('x')</script> & \"q\" \u0001 \uD800 ]]>";
        var report = Digits.Report with
        {
            Layers = Digits.Report.Layers.Select(l => l with { Name = hostile + l.Name }).ToList(),
            Tensors = Digits.Report.Tensors.Select(t => t with { Name = hostile + t.Name }).ToList(),
            Skipped = [new SkippedReport(hostile, "Op<>", "why & <b>not</b>")],
            LayerErrors = Digits.Report.LayerErrors! with
            {
                Layers = Digits.Report.LayerErrors.Layers.Select(l => l with { Layer = hostile + l.Layer, Output = hostile }).ToList(),
            },
            Evaluation = Digits.Report.Evaluation! with
            {
                Outputs = Digits.Report.Evaluation.Outputs.Select(o => o with { Output = hostile }).ToList(),
            },
            Model = Digits.Report.Model with { Input = "/m/<b>&x.onnx" },
        };

        var html = HtmlReport.Format(report);
        var page = Parse(html);

        Assert.IsFalse(html.Contains("<script", StringComparison.Ordinal));
        Assert.IsFalse(html.Contains("<b>", StringComparison.Ordinal));
        Assert.IsFalse(page.Descendants().Any(e => e.Name.LocalName is "script" or "b"));
        // The text reads as the name did; characters XML cannot hold read as U+FFFD.
        var readable = hostile.Replace('\u0001', '\uFFFD').Replace('\uD800', '\uFFFD');
        var codes = page.Descendants(X + "code").Select(c => c.Value).ToList();
        Assert.IsGreaterThanOrEqualTo(report.Layers.Count, codes.Count(c => c.StartsWith(readable, StringComparison.Ordinal)));
        Assert.AreEqual("Quantization report: <b>&x.onnx", page.Descendants(X + "title").Single().Value);
        Assert.IsTrue(page.Descendants(S + "title").Any(t => t.Value.StartsWith(readable, StringComparison.Ordinal)), "hover titles");
    }

    [TestMethod]
    public void The_same_inputs_give_the_same_bytes()
    {
        using var temp = new TempFolder();
        var again = QuantizationJob.Run(Request(temp.Path), new CollectingLog());

        // Timings are the only figures that differ from run to run: pinned, both pages must be identical byte for byte,
        // per-layer errors and histograms included.
        static string Pinned(QuantReport r) => HtmlReport.Format(r with
        {
            Timings = new Timings(0, 0, 0, 0, 0, 0, 0, 0),
            LayerErrors = r.LayerErrors! with { Seconds = 0 },
            Fallback = r.Fallback! with { RankingSeconds = 0, SearchSeconds = 0 },
            Model = r.Model with { Output = "", Record = "" },
        });
        Assert.AreEqual(Pinned(Digits.Report), Pinned(again.Report));
        Assert.AreEqual(HtmlReport.Format(Digits.Report), HtmlReport.Format(Digits.Report));
    }

    [TestMethod]
    public void Without_layer_errors_the_section_says_so_and_the_model_is_the_same()
    {
        using var temp = new TempFolder();
        var off = QuantizationJob.Run(Request(temp.Path) with { LayerErrors = false }, new CollectingLog());

        Assert.IsNull(off.Report.LayerErrors);
        StringAssert.Contains(File.ReadAllText(off.Report.HtmlReport!), "Not measured: LayerErrors is off");
        CollectionAssert.AreEqual(File.ReadAllBytes(Digits.QuantizedModel), File.ReadAllBytes(off.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(Digits.RecordFile), File.ReadAllBytes(off.RecordFile));
    }

    [TestMethod]
    public void A_failed_gate_keeps_no_html_report()
    {
        using var temp = new TempFolder();
        var request = Request(temp.Path) with { AccuracyFailureIsWarning = false, AutoFallback = false };

        Assert.ThrowsExactly<AmctException>(() => QuantizationJob.Run(request, new CollectingLog()));
        Assert.IsFalse(File.Exists(Path.Combine(temp.Path, "digits-cnn" + OutputNames.HtmlReportSuffix)));
        Assert.IsTrue(File.Exists(Path.Combine(temp.Path, "digits-cnn" + OutputNames.FailedReportSuffix)));
    }

    [TestMethod]
    public void Layer_errors_equal_an_independent_computation_with_onnx_runtime()
    {
        var errors = Digits.Report.LayerErrors!;
        Assert.AreEqual(LayerErrorStage.DefaultSamples, errors.Samples);
        Assert.HasCount(Digits.Report.Layers.Count, errors.Layers, "one entry per int8 layer");

        var expected = IndependentLayerErrors.Compute(TestData.DigitsModel, Digits.QuantizedModel,
            TestData.PathOf("digits-cnn/test_x.npy"), (int)errors.Samples, errors.Layers.Select(l => l.Output).ToList());
        foreach (var layer in errors.Layers)
        {
            var (sqnr, cosine) = expected[layer.Output];
            Assert.AreEqual(sqnr, layer.SqnrDb, 2e-3, layer.Layer);
            Assert.AreEqual(cosine, layer.CosineMean, 2e-6, layer.Layer);
        }
        // The figures differ between layers (the error builds up along the network): not one number copied everywhere.
        Assert.IsGreaterThan(1, errors.Layers.Select(l => l.SqnrDb).Distinct().Count());
    }
}
