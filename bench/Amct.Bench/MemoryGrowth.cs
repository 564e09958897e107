using System.Diagnostics;
using Amct.Engine.Pipeline;

namespace Amct.Bench;

/// <summary>
/// Peak memory (the process's high-water resident set, VmHWM) of a whole quantization at 100 and at 1,000 samples.
/// Each run is a fresh child process so one run's heap does not hide another's.
/// </summary>
internal static class MemoryGrowth
{
    public static void Run(Func<int, BenchModel> model, string scratch, TextWriter output)
    {
        var name = model(100).Name;
        output.WriteLine($"### Peak memory: {name}");
        output.WriteLine("| method | 100 samples MiB | 1000 samples MiB | growth |");
        output.WriteLine("|---|---|---|---|");
        foreach (var method in new[] { "minmax", "hfmg" })
        {
            var small = Child(model(100), method, scratch);
            var large = Child(model(1000), method, scratch);
            output.WriteLine($"| {method} | {small / 1048576.0:0.0} | {large / 1048576.0:0.0} | {(large - small) * 100.0 / small:+0.0;-0.0} % |");
        }
        output.WriteLine();
    }

    private static long Child(BenchModel model, string method, string scratch)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true };
        foreach (var arg in new[] { typeof(MemoryGrowth).Assembly.Location, "--child", model.ModelPath, model.DataPath, method, scratch })
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var line = text.Split('\n').First(l => l.StartsWith("peak-bytes ", StringComparison.Ordinal));
        return long.Parse(line["peak-bytes ".Length..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Child mode: quantize once, print the peak resident set.</summary>
    public static int ChildMain(string[] args)
    {
        QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = args[1],
            CalibrationData = args[2],
            Method = args[3],
            OutputDirectory = args[4],
        }, new CollectingLog());
        var status = File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kib = long.Parse(status["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Console.WriteLine($"peak-bytes {kib * 1024}");
        return 0;
    }
}
