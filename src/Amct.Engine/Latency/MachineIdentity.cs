using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Latency;

/// <summary>
/// What decides which kernels ONNX Runtime picks and how fast they run: the processor (name, core count, the vector
/// instructions that select int8 kernels — AVX2, AVX-512, VNNI, Arm dot product) and the ONNX Runtime version. A speed
/// choice measured on one identity is not reused on another.
/// </summary>
internal static class MachineIdentity
{
    private static readonly Lazy<string> Current = new(Describe);

    public static string Get() => Current.Value;

    private static string Describe()
    {
        var features = new List<string>();
        void Add(bool supported, string name)
        {
            if (supported)
            {
                features.Add(name);
            }
        }
        Add(Avx2.IsSupported, "avx2");
        Add(Avx512F.IsSupported, "avx512f");
        Add(Avx512BW.IsSupported, "avx512bw");
        Add(AdvSimd.IsSupported, "advsimd");
        Add(Dp.IsSupported, "dotprod");
        return string.Join("; ",
            ProcessorName(),
            $"{Environment.ProcessorCount} logical cores",
            RuntimeInformation.ProcessArchitecture.ToString(),
            string.Join(",", features),
            CpuInfo("flags", f => string.Join(",", f.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Where(x => x.Contains("avx", StringComparison.Ordinal) || x.Contains("vnni", StringComparison.Ordinal) || x.Contains("amx", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal))) ?? "",
            "onnxruntime " + OrtEnv.Instance().GetVersionString());
    }

    /// <summary>The processor's marketing name where the OS tells it (Linux: /proc/cpuinfo; Windows: an environment variable).</summary>
    private static string ProcessorName() =>
        CpuInfo("model name", name => name) ?? Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") ?? "unknown processor";

    /// <summary>
    /// A field of Linux's /proc/cpuinfo (first processor), shaped by <paramref name="select"/>; null elsewhere. Its
    /// flags tell what .NET 8's intrinsics cannot: AVX-512 VNNI, which ONNX Runtime's fastest int8 kernels use.
    /// </summary>
    private static string? CpuInfo(string field, Func<string, string> select)
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
                if (line?.IndexOf(':', StringComparison.Ordinal) is { } colon and >= 0)
                {
                    return select(line[(colon + 1)..].Trim());
                }
            }
        }
        catch (IOException)
        {
            // No name: the core count and instruction sets still tell machines apart.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
        return null;
    }
}
