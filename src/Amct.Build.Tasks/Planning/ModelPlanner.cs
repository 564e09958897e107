using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Amct.Build.Tasks.Settings;
using Amct.Engine;
using Amct.Engine.Pipeline;
using Amct.Engine.Settings;

namespace Amct.Build.Tasks.Planning;

/// <summary>
/// Turns a project's AmctModel items into plans: checks their settings and files, places their outputs (under obj/,
/// mirroring the folder the float model sits in, so two models of the same name in different folders do not clash)
/// and lists each model's input files. Disabled items get no plan. Pure apart from reading the file system.
/// </summary>
internal static class ModelPlanner
{
    public const string NameToken = "{name}";

    public static IReadOnlyList<ModelPlan> Plan(IEnumerable<ModelItem> items, ProjectContext project, ICollection<Diagnostic> diagnostics)
    {
        var plans = new List<ModelPlan>();
        var claimed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var errorFile = item.Metadata("DefiningProjectFullPath") is { Length: > 0 } defining ? defining : project.ProjectFile;
            var problems = new List<Diagnostic>();
            var settings = ModelSettings.Resolve(item.Spec, item.Metadata, project.ProjectDirectory, errorFile, problems);
            if (!settings.Enabled)
            {
                continue;
            }
            if (!File.Exists(item.FullPath))
            {
                problems.Add(new Diagnostic(ErrorCodes.ItemModelNotFound, errorFile,
                    $"AmctModel '{item.Spec}': the model file {item.FullPath} does not exist. Check the Include path " +
                    "(relative paths are relative to the project folder).", item.Spec));
            }
            var outputName = OutputName(item, settings, errorFile, problems);
            var targetDirectory = TargetDirectory(item, project.ProjectDirectory);
            var plan = new ModelPlan(item.Spec, item.FullPath, settings, outputName,
                Path.GetFullPath(Path.Combine(project.IntermediateDirectory, targetDirectory)), targetDirectory);
            if (problems.Count == 0 && claimed.TryGetValue(plan.QuantizedModel, out var other))
            {
                problems.Add(new Diagnostic(ErrorCodes.OutputCollision, errorFile,
                    $"AmctModel '{item.Spec}' and AmctModel '{other}' would both write {targetDirectory}{OutputNames.QuantizedModel(outputName)}. " +
                    "Give one of them a different OutputName.", item.Spec, SettingList.OutputName.Name));
            }
            foreach (var problem in problems)
            {
                diagnostics.Add(problem);
            }
            if (problems.Count > 0)
            {
                continue;
            }
            claimed[plan.QuantizedModel] = item.Spec;
            plan.DataFiles = DataFiles(settings);
            plan.InputFiles = InputFiles(plan, project);
            plan.OutputFiles = File.Exists(plan.QuantizedModelData)
                ? [plan.QuantizedModel, plan.QuantizedModelData, plan.RecordFile, plan.ReportFile, plan.HumanReportFile, plan.HtmlReportFile]
                : [plan.QuantizedModel, plan.RecordFile, plan.ReportFile, plan.HumanReportFile, plan.HtmlReportFile];
            plans.Add(plan);
        }
        return plans;
    }

    private static string OutputName(ModelItem item, ModelSettings settings, string errorFile, List<Diagnostic> problems)
    {
        var pattern = settings[SettingList.OutputName] as string ?? NameToken;
        var name = pattern.Replace(NameToken, Path.GetFileNameWithoutExtension(item.FullPath)).Trim();
        if (OutputNames.NameProblem(name) is not null)
        {
            problems.Add(new Diagnostic(ErrorCodes.OutputNameInvalid, errorFile,
                $"AmctModel '{item.Spec}': OutputName '{pattern}' does not make a file name ('{name}'). Give a plain name " +
                $"without folders; {NameToken} stands for the model's file name without .onnx.", item.Spec, SettingList.OutputName.Name));
        }
        return name;
    }

    /// <summary>
    /// Where the float model would go in the output folder, as MSBuild's AssignTargetPath decides for content: its
    /// Link if set, else its path relative to the project if inside it, else the folder's root. Returns the folder
    /// part, empty or ending with a separator.
    /// </summary>
    public static string TargetDirectory(ModelItem item, string projectDirectory)
    {
        var link = item.Metadata("Link");
        string relative;
        if (link.Length > 0)
        {
            relative = link;
        }
        else
        {
            var root = projectDirectory.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            relative = item.FullPath.StartsWith(root, StringComparison.OrdinalIgnoreCase)
                ? item.FullPath.Substring(root.Length)
                : Path.GetFileName(item.FullPath);
        }
        var folder = Path.GetDirectoryName(relative.Replace('\\', Path.DirectorySeparatorChar).Replace('/', Path.DirectorySeparatorChar)) ?? "";
        // A folder outside the output folder (rooted, or climbing with ..) is not a place for outputs: use the root.
        var parts = folder.Split([Path.DirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        if (folder.Length == 0 || Path.IsPathRooted(folder) || parts.Contains(".."))
        {
            return "";
        }
        return string.Join(Path.DirectorySeparatorChar.ToString(), parts) + Path.DirectorySeparatorChar;
    }

    /// <summary>The files the file and data settings name: every file of a data folder, in a stable order.</summary>
    private static List<string> DataFiles(ModelSettings settings)
    {
        var files = new List<string>();
        foreach (var spec in SettingList.All.Where(s => s.Kind is SettingKind.File or SettingKind.Data))
        {
            if (settings[spec] is string path)
            {
                files.AddRange(Directory.Exists(path)
                    ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal)
                    : [path]);
            }
        }
        return files;
    }

    private static List<string> InputFiles(ModelPlan plan, ProjectContext project)
    {
        var files = new List<string> { plan.ModelPath };
        files.AddRange(DependencyFile.Read(plan.DependencyFile));
        files.AddRange(plan.DataFiles);
        files.Add(plan.InputsCacheFile);
        // The worker itself: a rebuilt or updated engine quantizes again.
        files.Add(project.WorkerPath);
        var engine = Path.Combine(Path.GetDirectoryName(project.WorkerPath) ?? "", "Amct.Engine.dll");
        if (File.Exists(engine))
        {
            files.Add(engine);
        }
        return files.Distinct(StringComparer.Ordinal).ToList();
    }
}
