using System.Reflection;
using Amct.TestSupport;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Amct.Build.Tasks.Tests;

/// <summary>
/// A consumer project in a temporary folder: a project file path, the sample's digits model and calibration data
/// copied in, and AmctModel items to hand to the tasks.
/// </summary>
internal sealed class TestProject : IDisposable
{
    private readonly TempFolder _folder = new();

    public TestProject()
    {
        ProjectFile = Path.Combine(Directory, "App.csproj");
        File.WriteAllText(ProjectFile, "<Project />");
    }

    public string Directory => _folder.Path;
    public string ProjectFile { get; }
    public string IntermediateDirectory => Path.Combine(Directory, "obj", "amct") + Path.DirectorySeparatorChar;

    /// <summary>The worker built from src/Amct.Cli (a project reference of this test project builds it).</summary>
    public static string WorkerPath { get; } = Path.Combine(SharedData.RepositoryRoot, "src", "Amct.Cli", "bin", Configuration, "net8.0", "amct.dll");

    private static string Configuration => typeof(TestProject).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Configuration").Value!;

    public static string SampleFile(string relative) =>
        Path.Combine(SharedData.RepositoryRoot, "samples", "DigitsClassifier", relative);

    /// <summary>Copies a file of the sample into the project (creating folders) and returns its full path.</summary>
    public string CopySample(string sampleRelative, string projectRelative)
    {
        var target = Path.Combine(Directory, projectRelative);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(SampleFile(sampleRelative), target, overwrite: true);
        return target;
    }

    /// <summary>The digits model and its calibration data at Models/&lt;name&gt;.onnx and Data/&lt;name&gt;-calib.npy.</summary>
    public ITaskItem AddDigitsModel(string name = "digits", params (string Name, string Value)[] metadata)
    {
        CopySample("Models/digits-cnn.onnx", $"Models/{name}.onnx");
        CopySample("Data/calib.npy", $"Data/{name}-calib.npy");
        return Item($"Models/{name}.onnx", [("CalibrationData", $"Data/{name}-calib.npy"), .. metadata]);
    }

    /// <summary>An AmctModel item as MSBuild would pass it (FullPath and DefiningProjectFullPath set).</summary>
    public ITaskItem Item(string include, params (string Name, string Value)[] metadata)
    {
        var item = new TaskItem(include);
        foreach (var (name, value) in metadata)
        {
            item.SetMetadata(name, value);
        }
        // TaskItem computes FullPath against the current directory and has no defining project; MSBuild knows both.
        return new ProjectItem(item, Path.GetFullPath(Path.Combine(Directory, include)), ProjectFile);
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>A task item with the FullPath and DefiningProjectFullPath MSBuild would give it.</summary>
    private sealed class ProjectItem(ITaskItem inner, string fullPath, string projectFile) : ITaskItem
    {
        public string ItemSpec { get => inner.ItemSpec; set => inner.ItemSpec = value; }
        public System.Collections.ICollection MetadataNames => inner.MetadataNames;
        public int MetadataCount => inner.MetadataCount;
        public string GetMetadata(string metadataName) => metadataName switch
        {
            "FullPath" => fullPath,
            "DefiningProjectFullPath" => projectFile,
            _ => inner.GetMetadata(metadataName),
        };
        public void SetMetadata(string metadataName, string metadataValue) => inner.SetMetadata(metadataName, metadataValue);
        public void RemoveMetadata(string metadataName) => inner.RemoveMetadata(metadataName);
        public void CopyMetadataTo(ITaskItem destinationItem) => inner.CopyMetadataTo(destinationItem);
        public System.Collections.IDictionary CloneCustomMetadata() => inner.CloneCustomMetadata();
    }
}
