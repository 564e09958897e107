namespace Amct.Engine.Pipeline;

/// <summary>Where the job reports progress and warnings (the CLI prints them; tests collect them).</summary>
public interface IJobLog
{
    void Info(string message);

    /// <summary>A problem that does not stop the job, with its code and the file/setting/layer it concerns.</summary>
    void Warning(string code, string target, string message);

    /// <summary>Progress of a long stage: <paramref name="done"/> of <paramref name="total"/> units.</summary>
    void Progress(string stage, long done, long total);
}

/// <summary>A log that keeps everything, for tests and for callers that print later.</summary>
public sealed class CollectingLog : IJobLog
{
    public List<string> Messages { get; } = [];
    public List<(string Code, string Target, string Message)> Warnings { get; } = [];

    public void Info(string message) => Messages.Add(message);

    public void Warning(string code, string target, string message) => Warnings.Add((code, target, message));

    public void Progress(string stage, long done, long total)
    {
    }
}

/// <summary>A log that drops everything: for a pass whose messages another pass gives.</summary>
internal sealed class NullJobLog : IJobLog
{
    public static NullJobLog Instance { get; } = new();

    public void Info(string message)
    {
    }

    public void Warning(string code, string target, string message)
    {
    }

    public void Progress(string stage, long done, long total)
    {
    }
}
