using System.CommandLine;
using Amct.Cli.Job;
using Amct.Cli.Options;
using Amct.Cli.Parsing;
using Amct.Engine;
using Amct.Engine.Pipeline;
using Amct.Engine.Retraining;

namespace Amct.Cli.Commands;

/// <summary>
/// <c>amct job &lt;job.json&gt; --result &lt;result.json&gt;</c>: the worker mode the MSBuild task uses. Quantizes every
/// model of the job file, one after the other; a model that fails is reported (canonical error line) and its outputs
/// are removed, so nothing up-to-date-looking is left for the next incremental build, and the job goes on with the
/// next model so one build shows every problem. The result file is written in every case.
/// Exit code: 0 all models succeeded, 1 a model failed with a coded error, 3 an internal error.
/// </summary>
internal static class JobCommand
{
    public const string Usage = "amct job <job.json> --result <result.json>";

    public static Command Create(TextWriter output, TextWriter error, IRetrainer? retrainer)
    {
        var job = AmctCommandLine.Positional("job.json", "the job file the MSBuild task wrote");
        var result = new Option<string>("--result") { Description = "where to write the result file", HelpName = "result.json" };
        var command = new Command("job", "quantize every model of a job file (the MSBuild task's worker mode)") { job, result };
        command.SetAction(parse => Run(parse.GetValue(job) ?? [], parse.GetValue(result), output, error, retrainer));
        return command;
    }

    private static int Run(string[] positional, string? resultPath, TextWriter output, TextWriter error, IRetrainer? retrainer)
    {
        if (positional.Length != 1 || resultPath is null)
        {
            throw AmctCommandLine.Usage($"job takes one job file and --result. Usage: {Usage}");
        }
        var resultFile = Path.GetFullPath(AmctCommandLine.PathArgument(resultPath, "--result"));
        JobFile job;
        try
        {
            job = JobFile.Read(AmctCommandLine.PathArgument(positional[0], "the job file path"));
        }
        catch (AmctException)
        {
            // The task reads the error from the output; an empty result still says "this worker ran".
            new JobResultFile(JobResultFile.CurrentFormat, []).Write(resultFile);
            throw;
        }
        var results = new List<ModelResult>();
        var exitCode = 0;
        foreach (var model in job.Models)
        {
            var (result, code) = RunModel(job, model, output, error, retrainer);
            results.Add(result);
            exitCode = Math.Max(exitCode, code);
        }
        new JobResultFile(JobResultFile.CurrentFormat, results).Write(resultFile);
        return exitCode;
    }

    private static (ModelResult Result, int ExitCode) RunModel(JobFile job, JobModel model, TextWriter output, TextWriter error,
        IRetrainer? retrainer)
    {
        var location = new ErrorLocation(job.Project, model.Item);
        var failed = new ModelResult { Item = model.Item, Model = model.Model, Succeeded = false };
        var request = (QuantizeRequest?)null;
        try
        {
            if (model.Problem is { } problem)
            {
                throw JobFile.Invalid(job.Path, problem);
            }
            request = QuantizeOptions.Read(model.Settings, SettingNaming.Metadata).ToRequest(model.Model, SettingNaming.Metadata);
            var result = QuantizationJob.Run(request, new JobLog(new ConsoleLog(output, error), location), retrainer);
            // Only in the result file: the task prints it once per model (printed here too, a build showed it twice).
            var summary = QuantizeCommand.Summary(result);
            return (new ModelResult
            {
                Item = model.Item,
                Model = model.Model,
                Succeeded = true,
                QuantizedModel = result.QuantizedModel,
                RecordFile = result.RecordFile,
                ReportFile = result.ReportFile,
                Files = result.Files,
                Inputs = ModelFiles.Of(model.Model),
                Summary = summary,
            }, 0);
        }
        catch (AmctException e)
        {
            var (file, message) = location.Place(e.Target, e.Message);
            // A position belongs to the target file; an error moved to the project file has none there.
            error.WriteLine($"{file}{(file == e.Target ? e.Position : "")}: error {e.Code}: {message}");
            RemoveOutputs(request);
            return (failed, 1);
        }
#pragma warning disable CA1031 // One model's bug must not hide the other models' results; reported as AMCT5999.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error.WriteLine($"{model.Model}: error {ErrorCodes.InternalError}: internal error: {e.GetType().Name}: {e.Message} " +
                "This is a bug in amct; please report it with the model and the settings.");
            if (Environment.GetEnvironmentVariable("AMCT_DEBUG") == "1")
            {
                error.WriteLine(e);
            }
            RemoveOutputs(request);
            return (failed, 3);
        }
    }

    /// <summary>
    /// Deletes whatever a failed quantization may have written, so a later build does not take it as current. Runs
    /// inside the error handlers, so it never throws: an output folder that is no folder holds no outputs.
    /// </summary>
    private static void RemoveOutputs(QuantizeRequest? request)
    {
        if (request is null)
        {
            return;
        }
        QuantizationJob.RemoveOutputs(request);
    }
}
