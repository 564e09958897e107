using System.Collections.Generic;
using System.IO;
using Amct.Build.Tasks.Worker;

namespace Amct.Build.Tasks.Planning;

/// <summary>The plans of a project's models, from what both tasks receive from the targets.</summary>
internal static class ProjectPlanning
{
    public static (ProjectContext Project, IReadOnlyList<ModelPlan> Plans) Plan(IEnumerable<ModelItem> items, string projectFile,
        string intermediateDirectory, string workerPath, ICollection<Diagnostic> diagnostics)
    {
        var projectPath = Path.GetFullPath(projectFile);
        var directory = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(projectPath)!, intermediateDirectory));
        directory = directory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
        var worker = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(projectPath)!, workerPath));
        var project = new ProjectContext(projectPath, directory, worker, WorkerVersion.Read(worker));
        return (project, ModelPlanner.Plan(items, project, diagnostics));
    }
}
