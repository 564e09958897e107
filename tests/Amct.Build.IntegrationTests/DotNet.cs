using System.Diagnostics;
using System.Text;

namespace Amct.Build.IntegrationTests;

/// <summary>The outcome of one dotnet command: exit code, and stdout and stderr interleaved as printed.</summary>
internal sealed record CommandResult(string Command, int ExitCode, string Output, TimeSpan Elapsed)
{
    public override string ToString() => $"{Command} -> exit {ExitCode} in {Elapsed.TotalSeconds:0.0} s\n{Output}";
}

/// <summary>
/// Runs the dotnet CLI the way a developer would, in a clean environment: its own NuGet packages folder, no reused
/// MSBuild nodes or compiler server (they would outlive the test and keep its output pipes open), no variables of the
/// test host's own build leaking in.
/// </summary>
internal static class DotNet
{
    public static CommandResult Run(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        Start(workingDirectory, environment, "dotnet", args, "dotnet " + string.Join(' ', args));

    /// <summary>
    /// Runs a dotnet command inside a pseudo-terminal (<c>script</c> from util-linux), as in a developer's console, so
    /// MSBuild's terminal logger draws its live status lines; the output is the terminal's text without its control
    /// sequences (<see cref="TerminalText"/>).
    /// </summary>
    public static CommandResult RunInTerminal(string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        Assert.IsTrue(File.Exists("/usr/bin/script"), "these tests need `script` (util-linux) to run a build in a pseudo-terminal");
        var command = "dotnet " + string.Join(' ', args.Select(ShellQuote));
        var result = Start(workingDirectory, environment, "/usr/bin/script", ["-qefc", command, "/dev/null"], command + " (in a terminal)");
        return result with { Output = TerminalText.Plain(result.Output) };
    }

    private static string ShellQuote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static CommandResult Start(string workingDirectory, IReadOnlyDictionary<string, string>? environment, string fileName,
        IEnumerable<string> args, string command)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        foreach (var name in start.Environment.Keys.Where(IsLeakingVariable).ToList())
        {
            start.Environment.Remove(name);
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not finish within 5 minutes. Output so far:\n{output}");
        }
        process.WaitForExit(TimeSpan.FromSeconds(10)); // let the output readers drain
        lock (output)
        {
            return new CommandResult(command, process.ExitCode, output.ToString(), watch.Elapsed);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    // Set by the `dotnet test` that runs us; a consumer build must find its own SDK and MSBuild.
    private static bool IsLeakingVariable(string name) =>
        name.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase) ||
        name.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase);
}
