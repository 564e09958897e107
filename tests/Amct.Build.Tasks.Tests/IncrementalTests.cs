using Amct.Build.Tasks.Planning;

namespace Amct.Build.Tasks.Tests;

[TestClass]
public sealed class IncrementalTests
{
    private static ModelPlan PlanOf(TestProject project, params (string, string)[] metadata)
    {
        var problems = new List<Diagnostic>();
        var (_, plans) = ProjectPlanning.Plan(TaskItems.ToModelItems([project.AddDigitsModel("digits", metadata)]),
            project.ProjectFile, "obj/amct/", TestProject.WorkerPath, problems);
        Assert.IsEmpty(problems, string.Join("\n", problems));
        return plans.Single();
    }

    [TestMethod]
    public void The_inputs_cache_is_rewritten_only_when_settings_or_the_tool_change()
    {
        using var project = new TestProject();
        var plan = PlanOf(project);
        Assert.IsTrue(InputsCache.Write(plan, "1.0.0"));
        Assert.IsFalse(InputsCache.Write(PlanOf(project), "1.0.0"), "same settings, same tool");
        Assert.IsFalse(InputsCache.Write(PlanOf(project, ("CopyToOutputDirectory", "Always")), "1.0.0"), "copying is not a setting");
        Assert.IsTrue(InputsCache.Write(PlanOf(project, ("CalibrationMethod", "MinMax")), "1.0.0"), "a setting changed");
        Assert.IsTrue(InputsCache.Write(PlanOf(project, ("CalibrationMethod", "MinMax")), "1.1.0"), "a new tool");
        StringAssert.Contains(File.ReadAllText(plan.InputsCacheFile), "tool=1.1.0\n");
        StringAssert.Contains(File.ReadAllText(plan.InputsCacheFile), "hash=");
    }

    [TestMethod]
    public void A_file_added_to_or_removed_from_a_calibration_folder_rewrites_the_inputs_cache()
    {
        using var project = new TestProject();
        project.CopySample("Data/calib.npy", "calib/a.npy");
        Assert.IsTrue(InputsCache.Write(PlanOf(project, ("CalibrationData", "calib")), "1.0.0"));
        Assert.IsFalse(InputsCache.Write(PlanOf(project, ("CalibrationData", "calib")), "1.0.0"));
        var added = project.CopySample("Data/calib.npy", "calib/b.npy");
        Assert.IsTrue(InputsCache.Write(PlanOf(project, ("CalibrationData", "calib")), "1.0.0"), "a file was added");
        File.Delete(added);
        Assert.IsTrue(InputsCache.Write(PlanOf(project, ("CalibrationData", "calib")), "1.0.0"), "a file was removed");
    }

    [TestMethod]
    public void The_external_data_the_worker_reports_is_an_input_but_no_settings_change()
    {
        using var project = new TestProject();
        var plan = PlanOf(project);
        Assert.IsTrue(InputsCache.Write(plan, "1.0.0"));
        var externalData = Path.Combine(project.Directory, "Models", "digits.onnx.data");
        DependencyFile.Write(plan.DependencyFile, [plan.ModelPath, externalData]);

        var next = PlanOf(project);
        CollectionAssert.Contains(next.InputFiles.ToList(), externalData);
        Assert.IsFalse(InputsCache.Write(next, "1.0.0"), "learning the model's files must not re-quantize it");
    }

    [TestMethod]
    public void TrainingLabels_are_an_input_so_changed_labels_retrain_and_other_labels_rewrite_the_inputs_cache()
    {
        using var project = new TestProject();
        var labels = project.CopySample("Data/test_y.npy", "Data/train_y.npy");
        var plan = PlanOf(project, ("Retrain", "Distill"), ("TrainingLabels", "Data/train_y.npy"));
        Assert.IsTrue(InputsCache.Write(plan, "1.0.0"));
        StringAssert.Contains(File.ReadAllText(plan.InputsCacheFile), "TrainingLabels=" + labels + "\n");
        Assert.IsTrue(InputsCache.Write(PlanOf(project, ("Retrain", "Distill")), "1.0.0"), "labels left out");

        UpToDate(plan);
        Assert.IsNull(Staleness.Reason(plan));
        File.WriteAllBytes(labels, File.ReadAllBytes(labels).Reverse().ToArray());
        File.SetLastWriteTimeUtc(labels, DateTime.UtcNow.AddMinutes(1)); // as new contents get (a clock's step after the outputs)
        StringAssert.Contains(Staleness.Reason(plan), "train_y.npy is newer");
    }

    [TestMethod]
    public void A_model_is_stale_until_every_output_is_newer_than_every_input()
    {
        using var project = new TestProject();
        var plan = PlanOf(project);
        InputsCache.Write(plan, "1.0.0");
        StringAssert.Contains(Staleness.Reason(plan), "does not exist");

        var past = UpToDate(plan);
        Assert.IsNull(Staleness.Reason(plan));

        File.SetLastWriteTimeUtc(plan.InputFiles[1], DateTime.UtcNow.AddMinutes(1));
        StringAssert.Contains(Staleness.Reason(plan), "digits-calib.npy is newer");
        File.SetLastWriteTimeUtc(plan.InputFiles[1], past);

        File.Delete(plan.RecordFile);
        StringAssert.Contains(Staleness.Reason(plan), "record.txt does not exist");
    }

    /// <summary>Makes the plan's inputs (but the worker) ten minutes old and writes its outputs now; returns the inputs' time.</summary>
    private static DateTime UpToDate(ModelPlan plan)
    {
        var past = DateTime.UtcNow.AddMinutes(-10);
        foreach (var input in plan.InputFiles.Where(f => !f.StartsWith(Path.GetDirectoryName(TestProject.WorkerPath)!, StringComparison.Ordinal)))
        {
            File.SetLastWriteTimeUtc(input, past);
        }
        Directory.CreateDirectory(plan.OutputDirectory);
        foreach (var output in plan.OutputFiles)
        {
            File.WriteAllText(output, "x");
        }
        return past;
    }
}
