using System.Diagnostics;
using Amct.Engine.Pipeline;

namespace Amct.Cli;

/// <summary>
/// Prints job messages: information and progress to standard output, warnings to standard error as canonical
/// <c>target: warning AMCTnnnn: message</c> lines (MSBuild turns them into build warnings). Progress is printed at
/// most every two seconds per stage, plus the final count, so long runs show life without flooding a build log.
/// </summary>
internal sealed class ConsoleLog(TextWriter output, TextWriter error) : IJobLog
{
    private readonly Stopwatch _sinceProgress = Stopwatch.StartNew();

    public void Info(string message) => output.WriteLine(message);

    public void Warning(string code, string target, string message) => error.WriteLine($"{target}: warning {code}: {message}");

    public void Progress(string stage, long done, long total)
    {
        if (done >= total || _sinceProgress.Elapsed.TotalSeconds >= 2)
        {
            output.WriteLine($"{stage}: {done}/{total}");
            _sinceProgress.Restart();
        }
    }
}
