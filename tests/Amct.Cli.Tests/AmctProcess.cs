using System.Diagnostics;

namespace Amct.Cli.Tests;

/// <summary>Runs the built amct.dll as a separate process, as a user or the MSBuild task would.</summary>
internal static class AmctProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static Result Run(params string[] args) => RunWith(new Dictionary<string, string>(), args);

    /// <summary>Runs amct with these environment variables set (on top of the test process's).</summary>
    public static Result RunWith(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var amct = Path.Combine(AppContext.BaseDirectory, "amct.dll");
        Assert.IsTrue(File.Exists(amct), $"amct.dll not found next to the tests at {amct}");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(amct);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "amct did not finish within 2 minutes");
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}
