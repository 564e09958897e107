namespace Amct.Build.IntegrationTests;

/// <summary>Consumer projects built, rebuilt, cleaned and published with the real package.</summary>
[TestClass]
public sealed class QuantizeOnBuildTests
{
    private const string NoWork = "Skipping target \"AmctQuantizeOnnxModels\" because all output files are up-to-date";

    [TestMethod]
    public void A_build_quantizes_into_obj_and_bin_and_a_second_build_does_no_work()
    {
        var app = Consumer.Create("App", $"""
            {Consumer.Model("a")}
            {Consumer.Model("b", "KeepFloatModel=\"false\"")}
              <ItemGroup>
                <None Update="Models/*.onnx" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
              <Target Name="ListOutputs" AfterTargets="AmctAfterQuantize">
                <Message Importance="high" Text="outputs: @(AmctOutputFile->'%(Filename)%(Extension)')" />
              </Target>
            """, models: ["a", "b"]);

        var first = app.Build();

        foreach (var file in new[] { "a.int8.onnx", "a.record.txt", "a.quant.json", "b.int8.onnx" })
        {
            Assert.IsTrue(File.Exists(app.Intermediate(file)), $"{file} is not in obj/:\n{first}");
        }
        Assert.IsTrue(File.Exists(app.Output("a.int8.onnx")), $"the int8 model is not in bin/:\n{first}");
        Assert.IsFalse(File.Exists(app.Output("a.record.txt")), "records stay in obj/ unless asked for");
        Assert.IsTrue(File.Exists(app.Output("a.onnx")), "the float model the project copies stays");
        Assert.IsFalse(File.Exists(app.Output("b.onnx")), "KeepFloatModel=false drops it");
        StringAssert.Contains(first.Output, "Amct: a.onnx -> a.int8.onnx");
        Assert.AreEqual(1, first.Output.Split('\n').Count(l => l.Contains("a.onnx -> a.int8.onnx", StringComparison.Ordinal)),
            $"at -v:n the summary is printed once (the task's line, not also the worker's):\n{first}");
        Assert.AreEqual(1, first.Output.Split('\n').Count(l => l.Contains("report: " + app.Intermediate("a.quant.md"), StringComparison.Ordinal)),
            $"the report's path, once:\n{first}");
        StringAssert.Contains(first.Output, "outputs: a.int8.onnx;a.record.txt;a.quant.json;a.quant.md;a.quant.html;b.int8.onnx;", "the extension point sees the outputs");
        Assert.IsGreaterThanOrEqualTo(9, Digits.CorrectOf10(app.Output("a.int8.onnx")), "the int8 model classifies the test digits");
        Assert.IsGreaterThanOrEqualTo(9, Digits.CorrectOf10(app.Output("b.int8.onnx")));

        var stamp = File.GetLastWriteTimeUtc(app.Intermediate("a.int8.onnx"));
        var second = app.Build();
        StringAssert.Contains(second.Output, NoWork);
        Assert.DoesNotContain("amct.dll job", second.Output, "no worker on a no-op build");
        Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(app.Intermediate("a.int8.onnx")));
        Assert.IsTrue(File.Exists(app.Output("a.int8.onnx")), "a no-op build keeps the outputs (IncrementalClean)");
    }

    [TestMethod]
    public void A_changed_calibration_file_or_setting_requantizes_only_that_model()
    {
        var app = Consumer.Create("Incremental", $"""
              <PropertyGroup><BMethod Condition="'$(BMethod)' == ''">Hfmg</BMethod></PropertyGroup>
            {Consumer.Model("a")}
            {Consumer.Model("b", "CalibrationMethod=\"$(BMethod)\"")}
            """, models: ["a", "b"]);
        app.Build();
        var a = File.GetLastWriteTimeUtc(app.Intermediate("a.int8.onnx"));
        var b = File.GetLastWriteTimeUtc(app.Intermediate("b.int8.onnx"));

        File.SetLastWriteTimeUtc(app.Path("Data/b-calib.npy"), DateTime.UtcNow);
        var touched = app.Build();
        StringAssert.Contains(touched.Output, "Amct: quantizing Models/b.onnx");
        Assert.DoesNotContain("Amct: quantizing Models/a.onnx", touched.Output);
        Assert.AreEqual(a, File.GetLastWriteTimeUtc(app.Intermediate("a.int8.onnx")), "model a is untouched");
        Assert.IsGreaterThan(b, File.GetLastWriteTimeUtc(app.Intermediate("b.int8.onnx")));

        var changed = app.Build("-p:BMethod=MinMax");
        StringAssert.Contains(changed.Output, "Amct: quantizing Models/b.onnx");
        Assert.DoesNotContain("Amct: quantizing Models/a.onnx", changed.Output);
        StringAssert.Contains(File.ReadAllText(app.Intermediate("b.quant.json")), "minmax");
        Assert.AreEqual(a, File.GetLastWriteTimeUtc(app.Intermediate("a.int8.onnx")));
    }

    [TestMethod]
    public void Publish_includes_the_int8_model_and_Clean_removes_the_outputs()
    {
        var app = Consumer.Create("Published", Consumer.Model("digits", "CopyRecordAndReport=\"true\""), models: ["digits"]);
        var publishDirectory = app.Path("published");

        var publish = app.Run("publish", "-c", "Debug", "-o", publishDirectory);
        Assert.AreEqual(0, publish.ExitCode, publish.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(publishDirectory, "Models", "digits.int8.onnx")), publish.ToString());
        Assert.IsTrue(File.Exists(Path.Combine(publishDirectory, "Models", "digits.record.txt")), "CopyRecordAndReport=true");
        Assert.IsTrue(File.Exists(app.Output("digits.quant.json")));

        var clean = app.Run("clean");
        Assert.AreEqual(0, clean.ExitCode, clean.ToString());
        foreach (var file in new[] { app.Intermediate("digits.int8.onnx"), app.Intermediate("digits.record.txt"),
            app.Intermediate("digits.quant.json"), app.Output("digits.int8.onnx"), app.Output("digits.quant.json") })
        {
            Assert.IsFalse(File.Exists(file), $"{file} survived Clean:\n{clean}");
        }
    }

    [TestMethod]
    public void A_multi_targeted_project_quantizes_each_model_once_and_copies_it_to_every_framework()
    {
        var app = Consumer.Create("Multi", Consumer.Model("digits"), targetFrameworks: "net8.0;net10.0", models: ["digits"]);

        // In parallel (-m:2), as dotnet build runs inner builds by default: one quantizes, the other waits and copies.
        var build = app.Build("-m:2");

        Assert.AreEqual(1, Lines(build, "Amct: quantizing Models/digits.onnx"), $"quantized once:\n{build}");
        Assert.AreEqual(1, Lines(build, "Amct: digits.onnx -> digits.int8.onnx"), $"one summary:\n{build}");
        var shared = app.Path("obj/Debug/amct/Models/digits.int8.onnx");
        Assert.IsTrue(File.Exists(shared), $"the shared folder has no framework in its path:\n{build}");
        foreach (var framework in new[] { "net8.0", "net10.0" })
        {
            Assert.IsFalse(File.Exists(app.Intermediate("digits.int8.onnx", framework)), $"nothing per framework in obj/:\n{build}");
            CollectionAssert.AreEqual(File.ReadAllBytes(shared), File.ReadAllBytes(app.Output("digits.int8.onnx", framework)),
                $"{framework}'s bin/ has the model:\n{build}");
        }

        var again = app.Build("-m:2");
        Assert.AreEqual(0, Lines(again, "Amct: quantizing"), again.ToString());
        Assert.AreEqual(2, Lines(again, NoWork), $"both inner builds are up to date:\n{again}");
    }

    private static int Lines(CommandResult build, string text) =>
        build.Output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    [TestMethod]
    public void Two_projects_quantize_in_parallel()
    {
        var first = Consumer.Create("First", Consumer.Model("digits"), models: ["digits"]);
        var second = Consumer.Create("Second", Consumer.Model("digits"), models: ["digits"]);
        var solution = Path.Combine(PackageFeed.ProjectsRoot, $"Both-{Guid.NewGuid():N}.slnx");
        File.WriteAllText(solution, $"""
            <Solution>
              <Project Path="{first.ProjectFile}" />
              <Project Path="{second.ProjectFile}" />
            </Solution>
            """);

        var build = DotNet.Run(PackageFeed.ProjectsRoot, PackageFeed.Environment, "build", solution, "-m:2", "-nr:false", "-v:n");

        Assert.AreEqual(0, build.ExitCode, build.ToString());
        Assert.IsTrue(File.Exists(first.Output("digits.int8.onnx")), build.ToString());
        Assert.IsTrue(File.Exists(second.Output("digits.int8.onnx")), build.ToString());
        Assert.AreEqual(2, build.Output.Split('\n').Count(l => l.Contains("Amct: digits.onnx -> digits.int8.onnx", StringComparison.Ordinal)));
    }
}
