using Amct.Engine.Pipeline;

namespace Amct.Cli.Job;

/// <summary>
/// The console log of one model of a job: warnings are placed like errors (<see cref="ErrorLocation"/>), so a warning
/// about a setting lands on the project file rather than on a bare setting name.
/// </summary>
internal sealed class JobLog(IJobLog inner, ErrorLocation location) : IJobLog
{
    public void Info(string message) => inner.Info(message);

    public void Warning(string code, string target, string message)
    {
        var (file, text) = location.Place(target, message);
        inner.Warning(code, file, text);
    }

    public void Progress(string stage, long done, long total) => inner.Progress(stage, done, total);
}

/// <summary>
/// Where a job's error or warning belongs in a build. Engine errors about a file name that file (a full path), and
/// stay there. Errors whose target is a setting or a layer name would show up as an unknown file in the build, so they
/// go to the project file that declares the model, with the item and the setting named in the message.
/// </summary>
internal sealed class ErrorLocation(string project, string item)
{
    public (string File, string Message) Place(string target, string message) =>
        Path.IsPathRooted(target) ? (target, message) : (project, $"AmctModel '{item}': {target}: {message}");
}
