using System.Diagnostics;
using System.Text.RegularExpressions;
using Amct.Engine.Pipeline;
using Amct.TestSupport;
using StbImageSharp;

namespace Amct.Engine.Tests.Formats;

/// <summary>
/// The digits CNN's HTML report opened in headless Chromium, offline: the DOM the browser builds holds the layer rows and
/// the charts, and the screenshot is a page with drawn charts, not a blank or an error page.
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Browser)]
public sealed partial class HtmlReportBrowserTests
{
    private const int Width = 1200;
    private const int Height = 2400;

    [TestMethod]
    public void Chromium_renders_the_report_with_its_layer_rows_and_charts()
    {
        using var temp = new TempFolder();
        var result = QuantizationJob.Run(HtmlReportTests.Request(temp.File("out")), new CollectingLog());
        var page = new Uri(result.Report.HtmlReport!).AbsoluteUri;

        var dom = Chromium(temp, "--dump-dom", page);
        Assert.AreEqual(result.Report.LayerErrors!.Layers.Count, LayerRow().Count(dom), "layer rows in the rendered DOM");
        Assert.IsGreaterThanOrEqualTo(6, SvgElement().Count(dom), "charts in the rendered DOM");
        StringAssert.Contains(dom, "Error along the network");

        var screenshot = temp.File("report.png");
        Chromium(temp, $"--screenshot={screenshot}", $"--window-size={Width},{Height}", page);
        var png = File.ReadAllBytes(screenshot);
        Assert.IsGreaterThan(20_000, png.Length, "a screenshot of a page with charts is not that small");
        var image = ImageResult.FromMemory(png, ColorComponents.RedGreenBlue);
        Assert.AreEqual(Width, image.Width);
        var (inked, blue, orange) = (0, 0, 0);
        for (var i = 0; i < image.Data.Length; i += 3)
        {
            var (r, g, b) = (image.Data[i], image.Data[i + 1], image.Data[i + 2]);
            inked += r < 240 || g < 240 || b < 240 ? 1 : 0;
            blue += Near(r, g, b, 0x31, 0x82, 0xce) ? 1 : 0;   // int8 bars, the error trace
            orange += Near(r, g, b, 0xdd, 0x6b, 0x20) ? 1 : 0; // the float model's bars
        }
        var pixels = image.Width * image.Height;
        Assert.IsGreaterThan(pixels / 50, inked, $"{inked} of {pixels} pixels not white: a blank page");
        Assert.IsGreaterThan(2_000, blue, "int8 bars and traces drawn");
        Assert.IsGreaterThan(500, orange, "float bars drawn");
    }

    private static bool Near(byte r, byte g, byte b, int er, int eg, int eb) =>
        Math.Abs(r - er) < 12 && Math.Abs(g - eg) < 12 && Math.Abs(b - eb) < 12;

    /// <summary>Runs headless Chromium (no network, a throwaway profile); returns what it printed.</summary>
    private static string Chromium(TempFolder temp, params string[] arguments)
    {
        var executable = new[] { "chromium", "chromium-browser", "google-chrome" }
            .Select(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists))
            .FirstOrDefault(p => p is not null)
            ?? throw new AssertFailedException("Chromium is not installed: apt-get install -y chromium (.ci/run installs it for the Browser suite)");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            $"--user-data-dir={temp.File("profile")}", "--proxy-server=127.0.0.1:9", "--virtual-time-budget=5000" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new AssertFailedException("Chromium did not finish within 2 minutes");
        }
        Assert.AreEqual(0, process.ExitCode, errors.Result);
        return output.Result;
    }

    [GeneratedRegex("<tr class=\"layer-row\">")]
    private static partial Regex LayerRow();

    [GeneratedRegex("<svg ")]
    private static partial Regex SvgElement();
}
