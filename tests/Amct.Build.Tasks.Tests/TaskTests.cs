using Amct.TestSupport;
using Microsoft.Build.Framework;

namespace Amct.Build.Tasks.Tests;

/// <summary>The two tasks as MSBuild runs them, with a fake build engine and the real worker built from src/.</summary>
[TestClass]
public sealed class TaskTests
{
    private static AmctPrepare Prepare(TestProject project, FakeBuildEngine engine, params ITaskItem[] models) => new()
    {
        BuildEngine = engine,
        Models = models,
        ProjectFile = project.ProjectFile,
        IntermediateDirectory = "obj/amct/",
        WorkerPath = TestProject.WorkerPath,
    };

    private static AmctQuantize Quantize(TestProject project, FakeBuildEngine engine, params ITaskItem[] models) => new()
    {
        BuildEngine = engine,
        Models = models,
        ProjectFile = project.ProjectFile,
        IntermediateDirectory = "obj/amct/",
        WorkerPath = TestProject.WorkerPath,
    };

    [TestMethod]
    public void Prepare_reports_every_bad_setting_at_the_project_file_and_fails()
    {
        using var project = new TestProject();
        var engine = new FakeBuildEngine();
        var task = Prepare(project, engine, project.AddDigitsModel("a", ("CalibrationMethod", "kl")),
            project.AddDigitsModel("b", ("BatchSize", "0")));
        Assert.IsFalse(task.Execute());
        CollectionAssert.AreEqual(new[] { "AMCT1201", "AMCT1202" }, engine.Errors.Select(e => e.Code).ToArray());
        Assert.IsTrue(engine.Errors.All(e => e.File == project.ProjectFile), engine.ErrorText);
        Assert.IsFalse(Directory.Exists(project.IntermediateDirectory), "nothing written");
    }

    [TestMethod]
    public void Misspelt_metadata_and_properties_warn_with_the_setting_meant_and_well_known_metadata_does_not()
    {
        using var project = new TestProject();
        File.WriteAllText(project.ProjectFile, """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup><AmctCalibMethod>Kl</AmctCalibMethod><AmctSampleCount>8</AmctSampleCount><AmctWorkerPath /></PropertyGroup>
            </Project>
            """);
        var engine = new FakeBuildEngine();
        var task = Prepare(project, engine, project.AddDigitsModel("a", ("CalibratonMethod", "MinMax"), ("Link", "x/a.onnx"),
            ("Visible", "false"), ("DependentUpon", "x"), ("CopyToOutputDirectory", "Always"), ("Tag", "mine")));

        Assert.IsTrue(task.Execute(), engine.ErrorText);

        var warnings = engine.Warnings.Select(w => $"{w.File}: {w.Code}: {w.Message}").ToList();
        Assert.HasCount(2, warnings, string.Join("\n", warnings));
        Assert.AreEqual($"{project.ProjectFile}: AMCT1211: AmctModel 'Models/a.onnx': 'CalibratonMethod' is not an Amct.Build " +
            "setting and is ignored. Did you mean 'CalibrationMethod'?", warnings[0]);
        Assert.AreEqual($"{project.ProjectFile}: AMCT1211: the property 'AmctCalibMethod' is not an Amct.Build setting and is " +
            "ignored. Did you mean 'AmctCalibrationMethod'?", warnings[1]);
    }

    [TestMethod]
    public void Prepare_returns_inputs_outputs_and_the_files_to_copy()
    {
        using var project = new TestProject();
        var engine = new FakeBuildEngine();
        var task = Prepare(project, engine, project.AddDigitsModel("digits", ("KeepFloatModel", "false")));
        Assert.IsTrue(task.Execute(), engine.ErrorText);

        var copy = task.CopyFiles.Single();
        Assert.AreEqual(Path.Combine(project.IntermediateDirectory, "Models", "digits.int8.onnx"), copy.ItemSpec);
        Assert.AreEqual(Path.Combine("Models", "digits.int8.onnx"), copy.GetMetadata("Link"));
        Assert.AreEqual("PreserveNewest", copy.GetMetadata("CopyToOutputDirectory"));
        Assert.HasCount(5, task.OutputFiles);
        Assert.AreEqual("Never", task.OutputFiles[1].GetMetadata("CopyToOutputDirectory"));
        Assert.AreEqual("false", task.PlannedModels.Single().GetMetadata("KeepFloatModel"));
        CollectionAssert.Contains(task.InputFiles.Select(i => i.ItemSpec).ToList(), Path.Combine(project.Directory, "Data", "digits-calib.npy"));
        Assert.IsTrue(File.Exists(task.PlannedModels.Single().GetMetadata("InputsCacheFile")), "the settings are recorded");
    }

    [TestMethod]
    public void Prepare_in_a_design_time_build_writes_nothing_and_does_not_need_the_worker()
    {
        using var project = new TestProject();
        var engine = new FakeBuildEngine();
        var task = Prepare(project, engine, project.AddDigitsModel("digits"));
        task.DesignTime = true;
        task.WorkerPath = "missing/amct.dll";
        Assert.IsTrue(task.Execute(), engine.ErrorText);
        Assert.HasCount(1, task.CopyFiles);
        Assert.IsFalse(Directory.Exists(project.IntermediateDirectory));
    }

    [TestMethod]
    public void Quantize_runs_the_worker_for_stale_models_only_and_returns_what_it_wrote()
    {
        using var project = new TestProject();
        var models = new[] { project.AddDigitsModel("a", ("SampleCount", "32")), project.AddDigitsModel("b", ("SampleCount", "32")) };
        Assert.IsTrue(Prepare(project, new FakeBuildEngine(), models).Execute());

        var engine = new FakeBuildEngine();
        var task = Quantize(project, engine, models);
        Assert.IsTrue(task.Execute(), engine.ErrorText + engine.MessageText);
        Assert.HasCount(10, task.ProducedFiles);
        Assert.IsTrue(task.ProducedFiles.All(f => File.Exists(f.ItemSpec)));
        Assert.AreEqual(Path.Combine("Models", "a.int8.onnx"), task.ProducedFiles[0].GetMetadata("Link"));
        Assert.IsTrue(engine.Messages.Any(m => m.Importance == MessageImportance.High && m.Message!.Contains("a.onnx -> a.int8.onnx")),
            engine.MessageText);
        var deps = Path.Combine(project.IntermediateDirectory, "Models", "a.amct.deps");
        Assert.AreEqual(Path.Combine(project.Directory, "Models", "a.onnx"), File.ReadAllText(deps).Trim());

        // Nothing changed: no worker at all.
        var again = new FakeBuildEngine();
        var second = Quantize(project, again, models);
        Assert.IsTrue(second.Execute());
        Assert.IsEmpty(second.ProducedFiles);
        Assert.IsFalse(again.Messages.Any(m => m.Message!.Contains("amct.dll")), again.MessageText);

        // One calibration file touched: only that model.
        File.SetLastWriteTimeUtc(Path.Combine(project.Directory, "Data", "b-calib.npy"), DateTime.UtcNow.AddSeconds(5));
        var third = Quantize(project, new FakeBuildEngine(), models);
        Assert.IsTrue(third.Execute());
        CollectionAssert.AreEqual(new[] { "b.int8.onnx", "b.record.txt", "b.quant.json", "b.quant.md", "b.quant.html" },
            third.ProducedFiles.Select(f => Path.GetFileName(f.ItemSpec)).ToArray());
    }

    [TestMethod]
    public void A_model_the_engine_rejects_is_an_error_at_the_model_and_leaves_no_outputs()
    {
        using var project = new TestProject();
        var good = project.AddDigitsModel("good", ("SampleCount", "16"));
        File.WriteAllBytes(Path.Combine(project.Directory, "Models", "bad.onnx"), [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2]);
        var bad = project.Item("Models/bad.onnx", ("CalibrationData", "Data/good-calib.npy"));
        Assert.IsTrue(Prepare(project, new FakeBuildEngine(), good, bad).Execute());

        var engine = new FakeBuildEngine();
        Assert.IsFalse(Quantize(project, engine, good, bad).Execute());
        var error = engine.Errors.Single();
        Assert.AreEqual("AMCT2003", error.Code);
        Assert.AreEqual(Path.Combine(project.Directory, "Models", "bad.onnx"), error.File);
        Assert.IsTrue(File.Exists(Path.Combine(project.IntermediateDirectory, "Models", "good.int8.onnx")), "the other model is done");
        Assert.IsFalse(File.Exists(Path.Combine(project.IntermediateDirectory, "Models", "bad.int8.onnx")));
    }

    [TestMethod]
    public void A_missing_worker_is_AMCT5101()
    {
        using var project = new TestProject();
        var engine = new FakeBuildEngine();
        var task = Quantize(project, engine, project.AddDigitsModel("digits"));
        task.WorkerPath = "nowhere/amct.dll";
        Assert.IsFalse(task.Execute());
        Assert.AreEqual("AMCT5101", engine.Errors.Single().Code, engine.ErrorText);
        StringAssert.Contains(engine.Errors.Single().Message, Path.Combine(project.Directory, "nowhere", "amct.dll"));
    }

    [TestMethod]
    public void A_missing_host_is_AMCT5102()
    {
        using var project = new TestProject();
        var engine = new FakeBuildEngine();
        var task = Quantize(project, engine, project.AddDigitsModel("digits"));
        task.DotNetHostPath = Path.Combine(project.Directory, "no-dotnet", "dotnet");
        Assert.IsFalse(task.Execute());
        Assert.AreEqual("AMCT5102", engine.Errors.Single().Code, engine.ErrorText);
    }

    [TestMethod]
    public void A_worker_that_crashes_is_AMCT5103_with_its_exit_code_and_last_lines()
    {
        using var project = new TestProject();
        var fake = Path.Combine(project.Directory, "tools", "amct.dll");
        Directory.CreateDirectory(Path.GetDirectoryName(fake)!);
        File.WriteAllText(fake, "not an assembly");
        var engine = new FakeBuildEngine();
        var model = project.AddDigitsModel("digits");
        var task = Quantize(project, engine, model);
        task.WorkerPath = fake;
        Assert.IsFalse(task.Execute());
        var error = engine.Errors.Single();
        Assert.AreEqual("AMCT5103", error.Code, engine.ErrorText);
        Assert.AreEqual(project.ProjectFile, error.File);
        StringAssert.Matches(error.Message, new System.Text.RegularExpressions.Regex(@"exit code -?\d+"));
        StringAssert.Contains(error.Message, "Its last lines:");
    }

    [TestMethod]
    public void No_runtime_for_the_worker_is_AMCT5104()
    {
        using var project = new TestProject();
        var engine = new FakeBuildEngine();
        var task = Quantize(project, engine, project.AddDigitsModel("digits"));
        // The worker targets .NET 8.0.0; forbidding any roll-forward leaves it no runtime (only an exact 8.0.0 would do).
        task.EnvironmentVariables = ["DOTNET_ROLL_FORWARD=Disable"];
        Assert.IsFalse(task.Execute());
        Assert.AreEqual("AMCT5104", engine.Errors.Single().Code, engine.ErrorText);
        StringAssert.Contains(engine.Errors.Single().Message, "Install the .NET 8");
    }

    [TestMethod]
    public void The_workers_warnings_become_build_warnings_at_their_file()
    {
        using var project = new TestProject();
        var model = project.AddDigitsModel("digits", ("SampleCount", "500"));
        Assert.IsTrue(Prepare(project, new FakeBuildEngine(), model).Execute());
        var engine = new FakeBuildEngine();
        Assert.IsTrue(Quantize(project, engine, model).Execute(), engine.ErrorText);
        var warning = engine.Warnings.Single(w => w.Code == "AMCT3053");
        Assert.AreEqual(Path.Combine(project.Directory, "Data", "digits-calib.npy"), warning.File);
        StringAssert.Contains(warning.Message, "500 calibration samples were asked for");
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.Timing)]
    public void Cancelling_kills_the_worker_and_fails_the_task()
    {
        using var project = new TestProject();
        var models = Enumerable.Range(0, 30).Select(i => project.AddDigitsModel($"m{i}")).ToArray();
        Assert.IsTrue(Prepare(project, new FakeBuildEngine(), models).Execute());
        var engine = new FakeBuildEngine();
        var task = Quantize(project, engine, models);

        var run = System.Threading.Tasks.Task.Run(task.Execute);
        var started = SpinWait.SpinUntil(() => engine.Messages.Any(m => m.Message!.Contains("calibrating on", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60));
        Assert.IsTrue(started, "the worker never started:\n" + engine.MessageText);
        var cancelledAt = System.Diagnostics.Stopwatch.StartNew();
        task.Cancel();

        Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(20)), "the task did not stop");
        Assert.IsFalse(run.Result);
        Assert.IsLessThan(TimeSpan.FromSeconds(20), cancelledAt.Elapsed);
        var done = Directory.GetFiles(project.IntermediateDirectory, "*.int8.onnx", SearchOption.AllDirectories).Length;
        Assert.IsLessThan(30, done, "the worker was stopped before it finished every model");
    }
}
