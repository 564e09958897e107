using Amct.Build.Tasks.Planning;
using Amct.Build.Tasks.Worker;

namespace Amct.Build.Tasks.Tests;

[TestClass]
public sealed class WorkerProtocolTests
{
    [TestMethod]
    public void The_job_file_holds_each_model_with_the_settings_that_are_set_in_the_command_lines_vocabulary()
    {
        using var project = new TestProject();
        var problems = new List<Diagnostic>();
        var (_, plans) = ProjectPlanning.Plan(TaskItems.ToModelItems([project.AddDigitsModel("digits",
                ("CalibrationMethod", "MinMax"), ("WeightGranularity", "PerTensor"), ("SampleCount", "64"),
                ("SkipLayers", "a;b"), ("Fusion", "false"), ("CopyToOutputDirectory", "Always"))]),
            project.ProjectFile, "obj/amct/", TestProject.WorkerPath, problems);

        using var job = System.Text.Json.JsonDocument.Parse(JobFileWriter.Write(project.ProjectFile, plans));
        var root = job.RootElement;
        Assert.AreEqual("amct-job/2", root.GetProperty("format").GetString());
        Assert.AreEqual(project.ProjectFile, root.GetProperty("project").GetString());
        var model = root.GetProperty("models")[0];
        Assert.AreEqual("Models/digits.onnx", model.GetProperty("item").GetString());
        Assert.AreEqual(Path.Combine(project.Directory, "Models", "digits.onnx"), model.GetProperty("model").GetString());
        // The settings are the command line's: flags as keys, values as the command line writes them.
        var settings = model.GetProperty("settings");
        Assert.AreEqual("digits", settings.GetProperty("output-name").GetString());
        Assert.IsTrue(Path.IsPathRooted(settings.GetProperty("output-dir").GetString()));
        Assert.AreEqual("minmax", settings.GetProperty("method").GetString());
        Assert.AreEqual("per-tensor", settings.GetProperty("weights").GetString());
        Assert.AreEqual("64", settings.GetProperty("samples").GetString());
        Assert.AreEqual("a,b", settings.GetProperty("skip-layers").GetString());
        Assert.AreEqual("false", settings.GetProperty("fusion").GetString());
        Assert.IsFalse(settings.TryGetProperty("activation", out _), "unset settings are left out");
        Assert.IsFalse(settings.EnumerateObject().Any(p => p.Name.Contains("copy", StringComparison.OrdinalIgnoreCase)),
            "build-only settings are not the worker's");
    }

    [TestMethod]
    public void The_result_file_is_read()
    {
        var outcomes = JobResult.Parse("""
            {"format": "amct-job-result/1", "models": [
              {"item": "a.onnx", "model": "/p/a.onnx", "succeeded": true, "files": ["/o/a.int8.onnx", "/o/a.record.txt"],
               "inputs": ["/p/a.onnx", "/p/a.onnx.data"], "summary": "a.onnx -\u003E a.int8.onnx"},
              {"item": "b.onnx", "model": "/p/b.onnx", "succeeded": false, "quantizedModel": null, "files": [], "inputs": []}]}
            """);
        Assert.HasCount(2, outcomes);
        Assert.IsTrue(outcomes[0].Succeeded);
        CollectionAssert.AreEqual(new[] { "/p/a.onnx", "/p/a.onnx.data" }, outcomes[0].Inputs.ToArray());
        Assert.AreEqual("a.onnx -> a.int8.onnx", outcomes[0].Summary);
        Assert.IsFalse(outcomes[1].Succeeded);
    }

    [TestMethod]
    [DataRow("{\"format\": \"amct-job-result/2\", \"models\": []}")]
    [DataRow("{\"format\": \"amct-job-result/1\"}")]
    [DataRow("[]")]
    public void A_result_file_of_another_format_is_a_FormatException(string text) =>
        Assert.ThrowsExactly<FormatException>(() => JobResult.Parse(text));

    [TestMethod]
    public void Canonical_lines_become_errors_and_warnings_at_their_file()
    {
        var output = new WorkerOutput();
        var error = output.Read(@"C:\work\m.onnx: error AMCT2003: the file is not a readable ONNX model (x: y).");
        Assert.AreEqual("error", error.Severity);
        Assert.AreEqual(@"C:\work\m.onnx", error.File);
        Assert.AreEqual("AMCT2003", error.Code);
        Assert.AreEqual("the file is not a readable ONNX model (x: y).", error.Message);

        var warning = output.Read("/data/calib.npy: warning AMCT3053: 300 calibration samples were asked for\r");
        Assert.AreEqual("warning", warning.Severity);
        Assert.AreEqual("/data/calib.npy", warning.File);

        var plain = output.Read("calibrating: 200/200 samples");
        Assert.IsNull(plain.Severity);
        Assert.AreEqual(1, output.ErrorCount);
    }

    [TestMethod]
    public void A_position_after_the_file_becomes_the_errors_line_and_column()
    {
        var output = new WorkerOutput();
        var json = output.Read(@"C:\work\amct (v2).json(3,17): error AMCT2101: line 3, position 17: the file is not valid JSON");
        Assert.AreEqual(@"C:\work\amct (v2).json", json.File);
        Assert.AreEqual((3, 17), (json.Line, json.Column));
        Assert.AreEqual("AMCT2101", json.Code);

        var record = output.Read("/data/r.txt(12): error AMCT2201: line 12: bad");
        Assert.AreEqual(("/data/r.txt", 12, 0), (record.File, record.Line, record.Column));

        var none = output.Read("/data/m.onnx: error AMCT2003: x");
        Assert.AreEqual(("/data/m.onnx", 0, 0), (none.File, none.Line, none.Column));
    }

    [TestMethod]
    public void Each_code_links_to_the_readme_table_that_documents_it()
    {
        Assert.AreEqual("https://github.com/amct-build/Amct.Build#msbuild-error-codes", HelpLinks.For("AMCT1205"));
        Assert.AreEqual("https://github.com/amct-build/Amct.Build#msbuild-error-codes", HelpLinks.For("AMCT5103"));
        Assert.AreEqual("https://github.com/amct-build/Amct.Build#error-codes", HelpLinks.For("AMCT4012"));
        Assert.IsNull(HelpLinks.For("CS0001"));

        // The anchors are the README's headings (GitHub's slugs), the base the package's project URL.
        var readme = File.ReadAllLines(Path.Combine(Amct.TestSupport.SharedData.RepositoryRoot, "README.md"));
        CollectionAssert.Contains(readme, "## Error codes");
        CollectionAssert.Contains(readme, "## MSBuild error codes");
        var project = File.ReadAllText(Path.Combine(Amct.TestSupport.SharedData.RepositoryRoot, "src", "Amct.Build", "Amct.Build.csproj"));
        StringAssert.Contains(project, $"<PackageProjectUrl>{HelpLinks.ReadmeUrl}</PackageProjectUrl>");
    }

    [TestMethod]
    public void The_last_lines_are_kept_for_a_crash_report()
    {
        var output = new WorkerOutput(keepLastLines: 3);
        foreach (var line in new[] { "one", "", "two", "three", "four" })
        {
            output.Read(line);
        }
        CollectionAssert.AreEqual(new[] { "two", "three", "four" }, output.LastLines.ToArray());
    }

    [TestMethod]
    public void A_silent_failure_is_AMCT5103_with_the_exit_code_and_last_lines()
    {
        var output = new WorkerOutput();
        output.Read("Unhandled exception. System.OutOfMemoryException");
        var diagnostic = WorkerFailure.Describe(134, "/usr/bin/dotnet", "/pkg/amct.dll", output, "/p/App.csproj");
        Assert.AreEqual("AMCT5103", diagnostic.Code);
        Assert.AreEqual("/p/App.csproj", diagnostic.File);
        StringAssert.Contains(diagnostic.Message, "exit code 134");
        StringAssert.Contains(diagnostic.Message, "System.OutOfMemoryException");
    }

    [TestMethod]
    [DataRow(150, "")]
    [DataRow(-2147450730, "")]
    [DataRow(1, "You must install or update .NET to run this application.")]
    public void A_missing_runtime_is_AMCT5104(int exitCode, string printed)
    {
        var output = new WorkerOutput();
        output.Read(printed);
        var diagnostic = WorkerFailure.Describe(exitCode, "dotnet", "amct.dll", output, "/p/App.csproj");
        Assert.AreEqual("AMCT5104", diagnostic.Code);
        StringAssert.Contains(diagnostic.Message, ".NET 8 or later");
    }

    [TestMethod]
    public void The_host_is_the_explicit_one_then_DOTNET_HOST_PATH_then_NetCoreRoot_then_PATH()
    {
        using var project = new TestProject();
        File.WriteAllText(Path.Combine(project.Directory, "dotnet"), "");
        Assert.AreEqual("/x/dotnet", DotNetHost.Resolve("/x/dotnet", "/y/dotnet", project.Directory, windows: false));
        Assert.AreEqual("/y/dotnet", DotNetHost.Resolve(null, "/y/dotnet", project.Directory, windows: false));
        Assert.AreEqual(Path.Combine(project.Directory, "dotnet"), DotNetHost.Resolve("", "", project.Directory, windows: false));
        Assert.AreEqual("dotnet.exe", DotNetHost.Resolve(null, null, Path.Combine(project.Directory, "none"), windows: true));
        Assert.IsFalse(DotNetHost.IsPath("dotnet"));
    }
}
