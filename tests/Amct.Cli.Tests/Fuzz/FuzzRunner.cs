using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Amct.Cli.Tests.Fuzz;

/// <summary>
/// Runs one <see cref="FuzzCase"/> in a fresh folder and checks the promises of issue 11: a coded error or success
/// (never AMCT5999, a stack trace or a hang), nothing written outside the output folder, and the output set whole
/// on success and absent on failure.
/// </summary>
internal sealed partial class FuzzRunner(TimeSpan perRun)
{
    private static readonly string[] OutputSuffixes = [".int8.onnx", ".record.txt", ".quant.json", ".quant.md", ".quant.html"];

    /// <summary>What a failed gate leaves on purpose: the human report that explains it, under a name no build takes.</summary>
    private const string FailedReportSuffix = ".quant.failed.md";

    /// <summary>The outcome: "exit 0" or the first error code, and what broke a promise (empty when none).</summary>
    public (string Outcome, IReadOnlyList<string> Problems) Run(FuzzCase fuzzCase, string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var (file, bytes) in fuzzCase.Files)
        {
            var path = Path.Combine(folder, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, bytes);
        }
        fuzzCase.Setup?.Invoke(folder);
        var before = Snapshot(folder);
        var args = fuzzCase.Args.Select(a => a.Replace("{dir}", folder, StringComparison.Ordinal)).ToArray();

        var (finished, exitCode, output, error) = fuzzCase.InProcess ? RunInProcess(args) : RunProcess(args);
        var problems = new List<string>();
        if (!finished)
        {
            return ("hang", [$"no result within {perRun.TotalSeconds:0} s"]);
        }
        var text = output + error;
        if (exitCode == 3 || text.Contains("AMCT5999", StringComparison.Ordinal))
        {
            problems.Add("internal error: " + error.Trim());
        }
        if (StackTrace().IsMatch(text))
        {
            problems.Add("stack trace in the output");
        }
        var outside = Snapshot(folder).Where(p => !p.StartsWith("out/", StringComparison.Ordinal) && p != "out").ToHashSet();
        outside.SymmetricExceptWith(before.Where(p => !p.StartsWith("out/", StringComparison.Ordinal)));
        if (outside.Count > 0)
        {
            problems.Add("files changed outside the output folder: " + string.Join(", ", outside));
        }
        var written = Directory.Exists(Path.Combine(folder, "out"))
            ? Directory.EnumerateFileSystemEntries(Path.Combine(folder, "out")).Select(Path.GetFileName).ToHashSet()
            : [];
        if (fuzzCase.ResultFile is { } result && !written.Remove(result))
        {
            problems.Add($"exit {exitCode} without the result file {result}");
        }
        problems.AddRange(OutputSetProblems(written, exitCode, args[0]));
        if (Environment.GetEnvironmentVariable("AMCT_FUZZ_LOG") is { Length: > 0 } log)
        {
            // For investigating a campaign: every case with what amct printed.
            File.AppendAllText(log, $"== [{fuzzCase.Class}] {fuzzCase.Name}: exit {exitCode}\n{error}\n");
        }
        var code = CodedError().Match(error);
        return (exitCode == 0 ? "exit 0" : code.Success ? code.Groups[1].Value : $"exit {exitCode} without a code", problems);
    }

    /// <summary>
    /// The output folder holds whole output sets only (every file of each base name, whatever --output-name chose),
    /// and after a failure nothing but failed-gate reports. A successful quantize writes at least one set.
    /// </summary>
    private static IEnumerable<string> OutputSetProblems(HashSet<string?> written, int exitCode, string command)
    {
        if (exitCode != 0)
        {
            var left = written.Where(f => f is null || !f.EndsWith(FailedReportSuffix, StringComparison.Ordinal)).ToList();
            if (left.Count > 0)
            {
                yield return $"exit {exitCode} but outputs left behind: " + string.Join(", ", left);
            }
            yield break;
        }
        var sets = written.Where(f => f is not null).GroupBy(f => OutputSuffixes.FirstOrDefault(f!.EndsWith) is { } suffix ? f![..^suffix.Length] : f!);
        foreach (var set in sets)
        {
            var missing = OutputSuffixes.Select(s => set.Key + s).Where(f => !written.Contains(f)).ToList();
            if (missing.Count > 0)
            {
                yield return "partial output set, missing " + string.Join(", ", missing);
            }
        }
        if (command == "quantize" && written.Count == 0)
        {
            yield return "exit 0 but no output written";
        }
    }

    private (bool Finished, int ExitCode, string Output, string Error) RunInProcess(string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var run = Task.Run(() => Program.Run(args, output, error));
        return run.Wait(perRun) ? (true, run.Result, output.ToString(), error.ToString()) : (false, -1, "", "");
    }

    private (bool Finished, int ExitCode, string Output, string Error) RunProcess(string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "amct.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(perRun))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (false, -1, "", "");
        }
        return (true, process.ExitCode, output.Result, error.Result);
    }

    /// <summary>Every file, folder and link under the folder, as relative paths with '/' (links are not followed).</summary>
    private static HashSet<string> Snapshot(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
        return Directory.EnumerateFileSystemEntries(folder, "*", options)
            .Select(p => Path.GetRelativePath(folder, p).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"^\s+at \S.*\)", RegexOptions.Multiline)]
    private static partial Regex StackTrace();

    [GeneratedRegex(@"error (AMCT\d{4})")]
    private static partial Regex CodedError();
}
