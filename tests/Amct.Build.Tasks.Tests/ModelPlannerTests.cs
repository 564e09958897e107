using Amct.Build.Tasks.Planning;
using Amct.Build.Tasks.Settings;

namespace Amct.Build.Tasks.Tests;

[TestClass]
public sealed class ModelPlannerTests
{
    private static (IReadOnlyList<ModelPlan> Plans, List<Diagnostic> Problems) Plan(TestProject project, params Microsoft.Build.Framework.ITaskItem[] items)
    {
        var problems = new List<Diagnostic>();
        var (_, plans) = ProjectPlanning.Plan(TaskItems.ToModelItems(items), project.ProjectFile, "obj/amct/",
            TestProject.WorkerPath, problems);
        return (plans, problems);
    }

    [TestMethod]
    public void Outputs_go_under_obj_amct_in_the_folder_the_model_sits_in()
    {
        using var project = new TestProject();
        var (plans, problems) = Plan(project, project.AddDigitsModel("digits"));
        Assert.IsEmpty(problems, string.Join("\n", problems));
        var plan = plans.Single();
        var sep = Path.DirectorySeparatorChar;
        Assert.AreEqual($"Models{sep}", plan.TargetDirectory);
        Assert.AreEqual(Path.Combine(project.IntermediateDirectory, "Models", "digits.int8.onnx"), plan.QuantizedModel);
        Assert.AreEqual(Path.Combine(project.IntermediateDirectory, "Models", "digits.record.txt"), plan.RecordFile);
        Assert.AreEqual(Path.Combine(project.IntermediateDirectory, "Models", "digits.quant.json"), plan.ReportFile);
        CollectionAssert.AreEqual(new[] { plan.QuantizedModel, plan.RecordFile, plan.ReportFile, plan.HumanReportFile, plan.HtmlReportFile }, plan.OutputFiles.ToArray());
    }

    [TestMethod]
    public void Inputs_are_the_model_data_settings_cache_and_worker()
    {
        using var project = new TestProject();
        var (plans, _) = Plan(project, project.AddDigitsModel("digits"));
        var plan = plans.Single();
        CollectionAssert.AreEqual(new[]
        {
            Path.Combine(project.Directory, "Models", "digits.onnx"),
            Path.Combine(project.Directory, "Data", "digits-calib.npy"),
            plan.InputsCacheFile,
            TestProject.WorkerPath,
            Path.Combine(Path.GetDirectoryName(TestProject.WorkerPath)!, "Amct.Engine.dll"),
        }, plan.InputFiles.ToArray());
    }

    [TestMethod]
    public void The_files_a_calibration_folder_holds_and_the_models_reported_files_are_inputs()
    {
        using var project = new TestProject();
        project.CopySample("Data/calib.npy", "calib/part1.npy");
        project.CopySample("Data/calib.npy", "calib/more/part2.npy");
        var item = project.AddDigitsModel("digits", ("CalibrationData", "calib"));
        var (plans, _) = Plan(project, item);
        var externalData = Path.Combine(project.Directory, "Models", "digits.onnx.data");
        DependencyFile.Write(plans.Single().DependencyFile, [Path.Combine(project.Directory, "Models", "digits.onnx"), externalData]);

        var inputs = Plan(project, item).Plans.Single().InputFiles;
        CollectionAssert.Contains(inputs.ToList(), Path.Combine(project.Directory, "calib", "part1.npy"));
        CollectionAssert.Contains(inputs.ToList(), Path.Combine(project.Directory, "calib", "more", "part2.npy"));
        CollectionAssert.Contains(inputs.ToList(), externalData);
        Assert.AreEqual(inputs.Count, inputs.Distinct().Count(), "no file twice");
    }

    [TestMethod]
    public void Link_places_the_outputs_and_a_model_outside_the_project_goes_to_the_root()
    {
        using var project = new TestProject();
        using var elsewhere = new TestProject();
        var linked = project.AddDigitsModel("a", ("Link", "Assets/Nets/a.onnx"));
        elsewhere.AddDigitsModel("b");
        var outside = project.Item(Path.Combine(elsewhere.Directory, "Models", "b.onnx"),
            ("CalibrationData", Path.Combine(elsewhere.Directory, "Data", "b-calib.npy")));
        var (plans, problems) = Plan(project, linked, outside);
        Assert.IsEmpty(problems, string.Join("\n", problems));
        Assert.AreEqual(Path.Combine("Assets", "Nets") + Path.DirectorySeparatorChar, plans[0].TargetDirectory);
        Assert.AreEqual("", plans[1].TargetDirectory);
        Assert.AreEqual(Path.Combine(project.IntermediateDirectory, "b.int8.onnx"), plans[1].QuantizedModel);
    }

    [TestMethod]
    public void OutputName_renames_the_outputs_and_name_stands_for_the_model_name()
    {
        using var project = new TestProject();
        var (plans, _) = Plan(project, project.AddDigitsModel("digits", ("OutputName", "{name}-v2")));
        Assert.AreEqual("digits-v2", plans.Single().OutputName);
        StringAssert.EndsWith(plans.Single().QuantizedModel, "digits-v2.int8.onnx");
    }

    [TestMethod]
    public void An_OutputName_with_a_folder_is_AMCT1209()
    {
        using var project = new TestProject();
        var (plans, problems) = Plan(project, project.AddDigitsModel("digits", ("OutputName", "sub/name")));
        Assert.IsEmpty(plans);
        Assert.AreEqual("AMCT1209", problems.Single().Code);
    }

    [TestMethod]
    public void Two_models_writing_the_same_outputs_are_AMCT1208()
    {
        using var project = new TestProject();
        var first = project.AddDigitsModel("a");
        var second = project.AddDigitsModel("b", ("OutputName", "a"));
        var (plans, problems) = Plan(project, first, second);
        Assert.HasCount(1, plans);
        Assert.AreEqual("AMCT1208", problems.Single().Code);
        StringAssert.Contains(problems.Single().Message, "Models/b.onnx");
    }

    [TestMethod]
    public void A_missing_model_is_AMCT1204_at_the_project_file()
    {
        using var project = new TestProject();
        project.CopySample("Data/calib.npy", "Data/c.npy");
        var (plans, problems) = Plan(project, project.Item("Models/none.onnx", ("CalibrationData", "Data/c.npy")));
        Assert.IsEmpty(plans);
        Assert.AreEqual("AMCT1204", problems.Single().Code);
        Assert.AreEqual(project.ProjectFile, problems.Single().File);
        StringAssert.Contains(problems.Single().Message, Path.Combine(project.Directory, "Models", "none.onnx"));
    }

    [TestMethod]
    public void A_disabled_model_gets_no_plan_and_no_error()
    {
        using var project = new TestProject();
        var (plans, problems) = Plan(project, project.Item("Models/none.onnx", ("Enabled", "false")));
        Assert.IsEmpty(plans);
        Assert.IsEmpty(problems);
    }

    [TestMethod]
    public void Only_the_int8_model_is_copied_unless_records_and_reports_are_asked_for()
    {
        using var project = new TestProject();
        var (plans, _) = Plan(project, project.AddDigitsModel("a"), project.AddDigitsModel("b", ("CopyRecordAndReport", "true")));
        var a = OutputItems.For(plans[0]).ToList();
        Assert.AreEqual(1, a.Count(o => o.IsCopied));
        Assert.AreEqual(Path.Combine("Models", "a.int8.onnx"), a.Single(o => o.IsCopied).Link);
        Assert.AreEqual(5, OutputItems.For(plans[1]).Count(o => o.IsCopied));
    }
}
