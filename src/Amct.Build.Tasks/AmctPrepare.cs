using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Amct.Build.Tasks.Planning;
using Amct.Build.Tasks.Settings;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Amct.Engine;

namespace Amct.Build.Tasks;

/// <summary>
/// Runs on every build (it is cheap): checks the AmctModel items' settings and files, reports problems as coded errors
/// at the project file before any worker starts, rewrites each model's inputs cache when its settings changed, and
/// returns what the targets need whether or not quantization runs: the inputs and outputs of the quantize target, the
/// files to copy to the output folder, and the float models to leave out of it.
/// </summary>
public sealed class AmctPrepare : Task
{
    [Required]
    public ITaskItem[] Models { get; set; } = [];

    [Required]
    public string ProjectFile { get; set; } = "";

    /// <summary>The amct folder under obj/ (AmctIntermediateOutputPath).</summary>
    [Required]
    public string IntermediateDirectory { get; set; } = "";

    /// <summary>The worker, amct.dll.</summary>
    [Required]
    public string WorkerPath { get; set; } = "";

    /// <summary>In a design-time build: compute the items only, write nothing and check nothing about the worker.</summary>
    public bool DesignTime { get; set; }

    /// <summary>The enabled models (full path), with QuantizedModel, InputsCacheFile and KeepFloatModel metadata.</summary>
    [Output]
    public ITaskItem[] PlannedModels { get; private set; } = [];

    /// <summary>Every file any model is made from: the quantize target's Inputs.</summary>
    [Output]
    public ITaskItem[] InputFiles { get; private set; } = [];

    /// <summary>Every file quantization writes under obj/, with Link and CopyTo* metadata: the target's Outputs.</summary>
    [Output]
    public ITaskItem[] OutputFiles { get; private set; } = [];

    /// <summary>The files of <see cref="OutputFiles"/> to copy to the output or publish folder.</summary>
    [Output]
    public ITaskItem[] CopyFiles { get; private set; } = [];

    /// <summary>Files the build writes besides the outputs (inputs caches, dependency lists), for FileWrites.</summary>
    [Output]
    public ITaskItem[] BookkeepingFiles { get; private set; } = [];

    public override bool Execute()
    {
        var positions = new ProjectPositions();
        foreach (var warning in MisspeltSettings())
        {
            Log.Warn(warning, positions);
        }
        var diagnostics = new List<Diagnostic>();
        var (project, plans) = ProjectPlanning.Plan(TaskItems.ToModelItems(Models), ProjectFile, IntermediateDirectory,
            WorkerPath, diagnostics);
        if (!DesignTime && plans.Count > 0 && !File.Exists(project.WorkerPath))
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.WorkerNotFound, project.ProjectFile,
                $"the amct worker is missing: {project.WorkerPath} does not exist. Restore the Amct.Build package again " +
                "(dotnet restore --force), or fix AmctWorkerPath if you set it."));
        }
        foreach (var diagnostic in diagnostics)
        {
            Log.Report(diagnostic, positions);
        }
        if (diagnostics.Count > 0)
        {
            return false;
        }

        if (!DesignTime)
        {
            foreach (var plan in plans.Where(p => InputsCache.Write(p, project.ToolVersion)))
            {
                Log.LogMessage(MessageImportance.Low, "Amct: settings of {0} changed; it will be quantized again.", plan.Item);
            }
        }

        PlannedModels = plans.Select(ToItem).ToArray();
        InputFiles = TaskItems.Files(plans.SelectMany(p => p.InputFiles));
        var outputs = plans.SelectMany(OutputItems.For).ToList();
        OutputFiles = outputs.Select(TaskItems.ToItem).ToArray();
        CopyFiles = outputs.Where(o => o.IsCopied).Select(TaskItems.ToItem).ToArray();
        BookkeepingFiles = TaskItems.Files(plans.SelectMany(p => new[] { p.InputsCacheFile, p.DependencyFile }));
        return true;
    }

    /// <summary>
    /// Setting names MSBuild would ignore in silence: item metadata close to a setting's name, and Amct* properties no
    /// setting has, set in the project file or on the command line (-p:). Properties set in imported files are not seen.
    /// </summary>
    private IEnumerable<Diagnostic> MisspeltSettings()
    {
        var metadata = Models.SelectMany(m => UnknownSettingNames.InMetadata(m.ItemSpec,
            m.CloneCustomMetadata().Keys.Cast<string>(), ProjectFile));
        var global = BuildEngine is IBuildEngine6 engine ? engine.GetGlobalProperties().Keys : [];
        var properties = UnknownSettingNames.InProperties(UnknownSettingNames.PropertiesIn(ProjectFile).Concat(global), ProjectFile);
        return metadata.Concat(properties);
    }

    private static ITaskItem ToItem(ModelPlan plan)
    {
        var item = new TaskItem(plan.ModelPath);
        item.SetMetadata("Item", plan.Item);
        item.SetMetadata("QuantizedModel", plan.QuantizedModel);
        item.SetMetadata("RecordFile", plan.RecordFile);
        item.SetMetadata("ReportFile", plan.ReportFile);
        item.SetMetadata("InputsCacheFile", plan.InputsCacheFile);
        item.SetMetadata("KeepFloatModel", plan.Settings.KeepFloatModel ? "true" : "false");
        return item;
    }
}
