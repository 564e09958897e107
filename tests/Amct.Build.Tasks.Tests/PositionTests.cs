using Amct.Build.Tasks.Worker;
using Microsoft.Build.Framework;

namespace Amct.Build.Tasks.Tests;

/// <summary>
/// Errors and warnings about an AmctModel item, its metadata or an Amct* property carry the line and column where the
/// project file writes them (MSBuild's position fields, which IDEs and CI logs jump to), whether the task finds the
/// problem itself or the worker does.
/// </summary>
[TestClass]
public sealed class PositionTests
{
    private const string Project = """
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <AmctCalibMethod>Kl</AmctCalibMethod>
          </PropertyGroup>
          <ItemGroup>
            <AmctModel Include="Models/a.onnx" CalibrationData="Data/a-calib.npy" BatchSize="0" />
            <AmctModel Include="Models\b.onnx">
              <CalibratonData>Data/b-calib.npy</CalibratonData>
            </AmctModel>
          </ItemGroup>
        </Project>
        """;

    [TestMethod]
    public void Task_errors_and_warnings_point_at_the_metadata_the_item_or_the_property()
    {
        using var project = new TestProject();
        File.WriteAllText(project.ProjectFile, Project);
        project.CopySample("Models/digits-cnn.onnx", "Models/b.onnx");
        var engine = new FakeBuildEngine();
        var task = new AmctPrepare
        {
            BuildEngine = engine,
            Models = [project.AddDigitsModel("a", ("BatchSize", "0")), project.Item("Models/b.onnx", ("CalibratonData", "Data/b-calib.npy"))],
            ProjectFile = project.ProjectFile,
            IntermediateDirectory = "obj/amct/",
            WorkerPath = TestProject.WorkerPath,
        };

        Assert.IsFalse(task.Execute());

        var errors = engine.Errors.ToDictionary(e => e.Code, e => (e.File, e.LineNumber, e.ColumnNumber));
        Assert.AreEqual((project.ProjectFile, 6, At(6, "BatchSize=\"0\"")), errors["AMCT1202"], engine.ErrorText);
        Assert.AreEqual((project.ProjectFile, 7, At(7, "<AmctModel")), errors["AMCT1206"], engine.ErrorText);
        var warnings = engine.Warnings.ToDictionary(w => w.Message!.Split(' ')[0], w => (w.LineNumber, w.ColumnNumber));
        Assert.AreEqual((8, At(8, "<CalibratonData>")), warnings["AmctModel"]);
        Assert.AreEqual((3, At(3, "<AmctCalibMethod>")), warnings["the"]);
    }

    [TestMethod]
    public void A_worker_error_about_a_metadata_value_points_at_the_metadata()
    {
        using var project = new TestProject();
        File.WriteAllText(project.ProjectFile, Project.Replace("BatchSize=\"0\"", "Resize=\"320x\"", StringComparison.Ordinal));
        var engine = new FakeBuildEngine();
        var task = new AmctQuantize
        {
            BuildEngine = engine,
            Models = [project.AddDigitsModel("a", ("Resize", "320x"))],
            ProjectFile = project.ProjectFile,
            IntermediateDirectory = "obj/amct/",
            WorkerPath = TestProject.WorkerPath,
        };

        Assert.IsFalse(task.Execute());

        var error = engine.Errors.Single();
        Assert.AreEqual("AMCT3030", error.Code, engine.ErrorText);
        StringAssert.StartsWith(error.Message, "AmctModel 'Models/a.onnx': Resize: '320x' is not valid here.");
        Assert.AreEqual((project.ProjectFile, 6, At(6, "BatchSize=")), (error.File, error.LineNumber, error.ColumnNumber));
    }

    [TestMethod]
    public void The_worker_subject_is_read_back_from_the_item_and_setting_prefix()
    {
        var setting = WorkerSubject.Read(new WorkerLine("", "error", "/p/App.csproj", "AMCT3030",
            "AmctModel 'Models/a.onnx': Mean: 'x' is not valid here."), "/p/App.csproj")!;
        Assert.AreEqual(("Models/a.onnx", "Mean"), (setting.Item, setting.Metadata));
        var layer = WorkerSubject.Read(new WorkerLine("", "error", "/p/App.csproj", "AMCT1109",
            "AmctModel 'Models/a.onnx': conv1: names no layer."), "/p/App.csproj")!;
        Assert.AreEqual(("Models/a.onnx", null), (layer.Item, layer.Metadata));
        Assert.IsNull(WorkerSubject.Read(new WorkerLine("", "error", "/data/x.npy", "AMCT3001", "AmctModel 'a': b: c"), "/p/App.csproj"));
    }

    [TestMethod]
    public void A_second_build_waits_for_the_lock_and_gets_it_once_released()
    {
        using var folder = new Amct.TestSupport.TempFolder();
        var engine = new FakeBuildEngine();
        var waited = 0;
        using (var held = QuantizeLock.Acquire(folder.Path, engine, () => false, () => waited++))
        {
            Assert.IsNotNull(held);
            var polls = 0;
            Assert.IsNull(QuantizeLock.Acquire(folder.Path, engine, () => polls++ > 2, () => waited++), "held by the first");
            Assert.AreEqual(1, waited);
        }
        using var again = QuantizeLock.Acquire(folder.Path, engine, () => true, () => waited++);
        Assert.IsNotNull(again, "released");
        Assert.AreEqual(1, waited);
    }

    /// <summary>The 1-based column of <paramref name="text"/> on a 1-based line of the project.</summary>
    private static int At(int line, string text) => Project.Split('\n')[line - 1].IndexOf(text, StringComparison.Ordinal) + 1;
}
