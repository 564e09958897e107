using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Amct.Build.Tasks.Planning;
using Amct.Build.Tasks.Settings;
using Amct.Build.Tasks.Worker;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Amct.Engine;
using Amct.Engine.Pipeline;

namespace Amct.Build.Tasks;

/// <summary>
/// Quantizes the project's stale models in one run of the amct worker (<c>dotnet exec amct.dll job …</c>): writes
/// the job file, relays the worker's canonical error and warning lines as build errors and warnings, reads its result
/// file and returns the files it produced. A model that failed keeps no output, so the next build tries it again.
/// Cancelling the build kills the worker (ToolTask does that).
/// </summary>
public sealed class AmctQuantize : ToolTask
{
    private readonly WorkerOutput _output = new();
    private readonly ProjectPositions _positions = new();
    private string _host = "";
    private string _jobFile = "";
    private string _resultFile = "";
    private bool _cancelled;
    private bool _started;

    [Required]
    public ITaskItem[] Models { get; set; } = [];

    [Required]
    public string ProjectFile { get; set; } = "";

    [Required]
    public string IntermediateDirectory { get; set; } = "";

    [Required]
    public string WorkerPath { get; set; } = "";

    /// <summary>AmctDotNetHostPath: the dotnet to run the worker with, instead of the one the build runs on.</summary>
    public string? DotNetHostPath { get; set; }

    /// <summary>$(NetCoreRoot), where the SDK's dotnet is when DOTNET_HOST_PATH is not set.</summary>
    public string? NetCoreRoot { get; set; }

    /// <summary>Every file the worker wrote, with Link and CopyTo* metadata.</summary>
    [Output]
    public ITaskItem[] ProducedFiles { get; private set; } = [];

    protected override string ToolName => DotNetHost.ExecutableName(DotNetHost.OnWindows);

    /// <summary>
    /// The worker's standard output is its progress (stage and samples, at most every two seconds) and what it found
    /// (evaluation, fallback steps): high importance, because that is what the terminal logger shows while it runs.
    /// </summary>
    protected override MessageImportance StandardOutputLoggingImportance => MessageImportance.High;

    public override bool Execute()
    {
        var diagnostics = new List<Diagnostic>();
        var (project, plans) = ProjectPlanning.Plan(TaskItems.ToModelItems(Models), ProjectFile, IntermediateDirectory,
            WorkerPath, diagnostics);
        if (diagnostics.Count > 0)
        {
            // AmctPrepare reported them already when the targets ran it; this is for a direct call.
            diagnostics.ForEach(d => Log.Report(d, _positions));
            return false;
        }
        using var held = QuantizeLock.Acquire(project.IntermediateDirectory, BuildEngine, () => _cancelled,
            () => Log.LogMessage(MessageImportance.Normal, "Amct: waiting for another build quantizing into {0}.", project.IntermediateDirectory));
        if (held is null)
        {
            return false;
        }
        // Checked under the lock: a build that held it (another target framework's) may have just made them current.
        return Quantize(project, plans);
    }

    private bool Quantize(ProjectContext project, IReadOnlyList<ModelPlan> plans)
    {
        var stale = Staleness.StalePlans(plans);
        if (stale.Count == 0)
        {
            Log.LogMessage(MessageImportance.Low, "Amct: all {0} models are up to date.", plans.Count);
            return true;
        }
        foreach (var (plan, reason) in stale)
        {
            Log.LogMessage(MessageImportance.Normal, "Amct: quantizing {0} ({1}).", plan.Item, reason);
            Directory.CreateDirectory(plan.OutputDirectory);
        }

        Directory.CreateDirectory(project.IntermediateDirectory);
        _jobFile = Path.Combine(project.IntermediateDirectory, OutputNames.JobFileName);
        _resultFile = Path.Combine(project.IntermediateDirectory, OutputNames.ResultFileName);
        File.WriteAllText(_jobFile, JobFileWriter.Write(project.ProjectFile, stale.Select(s => s.Plan)));
        File.Delete(_resultFile);
        _host = DotNetHost.Resolve(DotNetHostPath, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH"), NetCoreRoot,
            DotNetHost.OnWindows);

        var succeeded = base.Execute();
        if (_cancelled || !_started)
        {
            return false;
        }
        Collect(project, stale.Select(s => s.Plan).ToList(), succeeded);
        return !Log.HasLoggedErrors;
    }

    /// <summary>Reads the result, records each model's files, removes failed models' outputs, explains silent failures.</summary>
    private void Collect(ProjectContext project, IReadOnlyList<ModelPlan> jobPlans, bool succeeded)
    {
        IReadOnlyList<ModelOutcome> outcomes = [];
        string? resultProblem = null;
        try
        {
            outcomes = File.Exists(_resultFile) ? JobResult.Parse(File.ReadAllText(_resultFile)) : [];
            resultProblem = File.Exists(_resultFile) ? null : "it was not written";
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            resultProblem = e.Message;
        }

        var produced = new List<ITaskItem>();
        foreach (var plan in jobPlans)
        {
            var outcome = outcomes.FirstOrDefault(o => string.Equals(o.Model, plan.ModelPath, StringComparison.Ordinal));
            if (outcome is { Succeeded: true })
            {
                DependencyFile.Write(plan.DependencyFile, outcome.Inputs);
                produced.AddRange(outcome.Files.Select(f => TaskItems.ToItem(OutputItems.For(plan, f))));
                Log.LogMessage(MessageImportance.High, "Amct: {0}", outcome.Summary ?? plan.Item);
            }
            else
            {
                // Failed, or never reached: leave nothing that looks up to date.
                foreach (var file in plan.OutputFiles)
                {
                    File.Delete(file);
                }
            }
        }
        ProducedFiles = produced.ToArray();

        if (ExitCode != 0 && _output.ErrorCount == 0)
        {
            Log.Report(WorkerFailure.Describe(ExitCode, _host, project.WorkerPath, _output, project.ProjectFile));
        }
        else if (succeeded && resultProblem is not null)
        {
            Log.Report(new Diagnostic(ErrorCodes.WorkerResultUnreadable, project.ProjectFile,
                $"the amct worker succeeded but its result file {_resultFile} cannot be read: {resultProblem}. Build again; " +
                "if it persists, report it with the job file next to it."));
        }
    }

    protected override bool ValidateParameters()
    {
        var worker = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!, WorkerPath));
        if (!File.Exists(worker))
        {
            Log.Report(new Diagnostic(ErrorCodes.WorkerNotFound, ProjectFile,
                $"the amct worker is missing: {worker} does not exist. Restore the Amct.Build package again " +
                "(dotnet restore --force), or fix AmctWorkerPath if you set it."));
            return false;
        }
        if (FindHost() is null)
        {
            Log.Report(new Diagnostic(ErrorCodes.DotNetHostNotFound, ProjectFile,
                $"the .NET host '{_host}' that runs the amct worker was not found. Install the .NET 8 (or later) runtime, " +
                "or set AmctDotNetHostPath (or DOTNET_HOST_PATH) to the dotnet executable."));
            return false;
        }
        return true;
    }

    protected override string GenerateFullPathToTool() => FindHost() ?? _host;

    /// <summary>The host as a full path: as resolved, or found on the PATH; null if it does not exist.</summary>
    private string? FindHost()
    {
        if (DotNetHost.IsPath(_host))
        {
            return File.Exists(_host) ? _host : null;
        }
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator)
            .Where(dir => dir.Trim().Length > 0)
            .Select(dir => Path.Combine(dir.Trim(), _host))
            .FirstOrDefault(File.Exists);
    }

    protected override string GenerateCommandLineCommands()
    {
        var worker = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!, WorkerPath));
        var command = new CommandLineBuilder();
        command.AppendSwitch("exec");
        command.AppendFileNameIfNotNull(worker);
        command.AppendSwitch("job");
        command.AppendFileNameIfNotNull(_jobFile);
        command.AppendSwitch("--result");
        command.AppendFileNameIfNotNull(_resultFile);
        return command.ToString();
    }

    protected override int ExecuteTool(string pathToTool, string responseFileCommands, string commandLineCommands)
    {
        _started = true;
        return base.ExecuteTool(pathToTool, responseFileCommands, commandLineCommands);
    }

    protected override string GetWorkingDirectory() => Path.GetDirectoryName(Path.GetFullPath(ProjectFile))!;

    protected override void LogEventsFromTextOutput(string singleLine, MessageImportance messageImportance)
    {
        var line = _output.Read(singleLine);
        var subject = line.Severity is null ? null : WorkerSubject.Read(line, Path.GetFullPath(ProjectFile));
        switch (line.Severity)
        {
            case "error" when subject is not null:
                Log.Report(subject, _positions);
                break;
            case "warning" when subject is not null:
                Log.Warn(subject, _positions);
                break;
            case "error":
                Log.LogError(null, line.Code, null, HelpLinks.For(line.Code), line.File, line.Line, line.Column, 0, 0, "{0}", line.Message);
                break;
            case "warning":
                Log.LogWarning(null, line.Code, null, HelpLinks.For(line.Code), line.File, line.Line, line.Column, 0, 0, "{0}", line.Message);
                break;
            default:
                Log.LogMessage(messageImportance, "{0}", line.Text);
                break;
        }
    }

    // Failures are explained in Collect, with the exit code and the worker's last lines.
    protected override bool HandleTaskExecutionErrors() => false;

    public override void Cancel()
    {
        _cancelled = true;
        base.Cancel();
    }
}
