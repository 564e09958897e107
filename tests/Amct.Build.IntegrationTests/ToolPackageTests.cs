using System.Diagnostics;
using Amct.TestSupport;

namespace Amct.Build.IntegrationTests;

/// <summary>
/// <c>amct</c> as a .NET tool: its own package (Amct.Tool), installed with <c>dotnet tool install --tool-path</c> from a
/// local feed, as a user would, and run as the command <c>amct</c>.
/// </summary>
[TestClass]
public sealed class ToolPackageTests
{
    [TestMethod]
    public void Amct_installs_as_a_dotnet_tool_and_runs()
    {
        using var temp = new TempFolder();
        var feed = Directory.CreateDirectory(temp.File("feed")).FullName;
        var version = "0.1.0-tool." + Guid.NewGuid().ToString("N")[..12];
        var pack = DotNet.Run(SharedData.RepositoryRoot, null, "pack", Path.Combine("src", "Amct.Cli", "Amct.Cli.csproj"),
            "-c", PackageFeed.Configuration, "-o", feed, $"-p:PackageVersion={version}", "-nr:false", "-p:UseSharedCompilation=false");
        Assert.AreEqual(0, pack.ExitCode, pack.ToString());
        var package = new FileInfo(Path.Combine(feed, $"Amct.Tool.{version}.nupkg"));
        Assert.IsTrue(package.Exists, pack.ToString());
        // About 10 % above the measured 49.0 MB (README): ONNX Runtime for five runtimes, no image natives, no PDBs.
        Assert.IsLessThanOrEqualTo(55_000_000L, package.Length, $"the tool package is {package.Length:N0} bytes");

        var tools = temp.File("tools");
        var install = DotNet.Run(temp.Path, PackageFeed.Environment, "tool", "install", "Amct.Tool", "--tool-path", tools,
            "--add-source", feed, "--version", version);
        Assert.AreEqual(0, install.ExitCode, install.ToString());

        var amct = Path.Combine(tools, OperatingSystem.IsWindows() ? "amct.exe" : "amct");
        var (exit, output) = Run(amct, "quantize", "--help");
        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "amct quantize");
        StringAssert.Contains(output, "--calibration-data <path>");
        (exit, output) = Run(amct, "inspect", TestData.DigitsModel);
        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "Quantizable layers:", "ONNX Runtime and the engine come with the tool");
    }

    private static (int Exit, string Output) Run(string path, params string[] args)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        Assert.IsTrue(process.WaitForExit(TimeSpan.FromMinutes(2)), "amct did not finish");
        return (process.ExitCode, output.Result + error.Result);
    }
}
