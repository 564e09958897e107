namespace Amct.Build.IntegrationTests;

/// <summary>
/// What a developer sees in a console: `dotnet build -tl:on` run inside a pseudo-terminal, so MSBuild's terminal
/// logger is the one drawing. Its default verbosity shows only the running target's name (live) and warnings and
/// errors; at -v:d it also lists each project's high-importance messages when the project finishes.
/// </summary>
[TestClass]
public sealed class TerminalLoggerTests
{
    [TestMethod]
    public void The_terminal_logger_names_the_quantization_and_at_detailed_verbosity_lists_progress_and_one_summary()
    {
        var app = Consumer.Create("Terminal", Consumer.Model("digits"), models: ["digits"]);

        var build = DotNet.RunInTerminal(app.Directory, PackageFeed.Environment, "build", app.ProjectFile, "-nr:false", "-tl:on");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        StringAssert.Contains(build.Output, "AmctQuantizeOnnxModels (", $"the live status line names the quantization:\n{build}");
        Assert.DoesNotContain("_AmctQuantize", build.Output, "no private target name on screen");
        Assert.IsTrue(File.Exists(app.Output("digits.int8.onnx")), build.ToString());

        // Stale calibration data: quantized again, this time at detailed verbosity.
        File.SetLastWriteTimeUtc(app.Path("Data/digits-calib.npy"), DateTime.UtcNow);
        var detailed = DotNet.RunInTerminal(app.Directory, PackageFeed.Environment, "build", app.ProjectFile, "-nr:false", "-tl:on", "-v:d");

        Assert.AreEqual(0, detailed.ExitCode, detailed.ToString());
        var lines = detailed.Output.Split('\n');
        Assert.AreEqual(1, lines.Count(l => l.StartsWith("Amct: digits.onnx -> digits.int8.onnx: ", StringComparison.Ordinal)),
            $"one summary line:\n{detailed}");
        Assert.AreEqual(1, lines.Count(l => l == "report: " + app.Intermediate("digits.quant.md")), $"the report's path, once:\n{detailed}");
        StringAssert.Contains(detailed.Output, "calibrating samples: 64/64", "the worker's progress");
        Assert.DoesNotContain("_AmctQuantize", detailed.Output);
    }
}
