using System;

namespace Amct.Build.Tasks.Planning;

/// <summary>An AmctModel item as the planner sees it: what MSBuild gives a task, without MSBuild types.</summary>
internal sealed class ModelItem
{
    public ModelItem(string spec, string fullPath, Func<string, string> metadata)
    {
        Spec = spec;
        FullPath = fullPath;
        Metadata = metadata;
    }

    /// <summary>The Include as written.</summary>
    public string Spec { get; }

    public string FullPath { get; }

    /// <summary>Reads a metadata value (custom or well-known); empty when unset.</summary>
    public Func<string, string> Metadata { get; }
}

/// <summary>Facts about the project and the tool that every model's plan needs.</summary>
internal sealed class ProjectContext
{
    public ProjectContext(string projectFile, string intermediateDirectory, string workerPath, string toolVersion)
    {
        ProjectFile = projectFile;
        ProjectDirectory = System.IO.Path.GetDirectoryName(projectFile)!;
        IntermediateDirectory = intermediateDirectory;
        WorkerPath = workerPath;
        ToolVersion = toolVersion;
    }

    public string ProjectFile { get; }
    public string ProjectDirectory { get; }

    /// <summary>Full path of the amct folder under obj/, ending with a separator.</summary>
    public string IntermediateDirectory { get; }

    public string WorkerPath { get; }
    public string ToolVersion { get; }
}
