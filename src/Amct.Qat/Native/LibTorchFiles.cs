using System.Reflection;
using Amct.Engine;

namespace Amct.Qat.Native;

/// <summary>
/// Where the native libraries of the pinned TorchSharp and libtorch packages are: the package folders the build
/// restored into (AMCT_NUGET_PACKAGE_FOLDERS, which Amct.Build.Qat's targets set from NuGet's list, fallback folders
/// included; then NUGET_PACKAGES, else ~/.nuget/packages), or folders named by AMCT_LIBTORCH_DIR (libtorch's
/// libraries) and AMCT_TORCHSHARP_NATIVE_DIR (libLibTorchSharp.so) for machines with another package layout.
/// </summary>
internal sealed record LibTorchFiles(string LibTorchDirectory, string TorchSharpLibrary)
{
    public const string LibTorchDirVariable = "AMCT_LIBTORCH_DIR";
    public const string TorchSharpDirVariable = "AMCT_TORCHSHARP_NATIVE_DIR";
    public const string PackageFoldersVariable = "AMCT_NUGET_PACKAGE_FOLDERS";

    public static string TorchSharpVersion => Metadata("TorchSharpVersion");
    public static string LibTorchVersion => Metadata("LibTorchVersion");

    /// <summary>libtorch's libraries in load order: each one's dependencies come before it.</summary>
    public static readonly IReadOnlyList<string> LoadOrder = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    public static LibTorchFiles Locate()
    {
        if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture !=
            System.Runtime.InteropServices.Architecture.X64)
        {
            throw new AmctException(ErrorCodes.LibTorchLoadFailed, "Retrain",
                "retraining runs on linux-x64 only for now (the libtorch build Amct.Build.Qat depends on). Build on " +
                "linux-x64, or quantize without retraining.");
        }
        var libtorch = Environment.GetEnvironmentVariable(LibTorchDirVariable) is { Length: > 0 } l
            ? l
            : InPackages(Path.Combine("libtorch-cpu-linux-x64", LibTorchVersion, "runtimes", "linux-x64", "native"));
        var torchSharp = Environment.GetEnvironmentVariable(TorchSharpDirVariable) is { Length: > 0 } t
            ? t
            : InPackages(Path.Combine("torchsharp", TorchSharpVersion, "runtimes", "linux-x64", "native"));
        var files = new LibTorchFiles(libtorch, Path.Combine(torchSharp, "libLibTorchSharp.so"));
        foreach (var file in LoadOrder.Select(f => Path.Combine(libtorch, f)).Append(files.TorchSharpLibrary))
        {
            if (!File.Exists(file))
            {
                throw new AmctException(ErrorCodes.LibTorchNotFound, file,
                    $"retraining needs libtorch {LibTorchVersion} and TorchSharp {TorchSharpVersion}, restored with the " +
                    $"Amct.Build.Qat package; this file is missing. Restore the project again, or point {LibTorchDirVariable} " +
                    $"and {TorchSharpDirVariable} at the folders that hold the native libraries.");
            }
        }
        return files;
    }

    /// <summary>The first package folder holding <paramref name="relative"/>, else where the first would hold it.</summary>
    private static string InPackages(string relative)
    {
        var folders = (Environment.GetEnvironmentVariable(PackageFoldersVariable) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Append(Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
                ? p
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"))
            .Select(folder => Path.Combine(folder, relative))
            .ToList();
        return folders.FirstOrDefault(Directory.Exists) ?? folders[0];
    }

    private static string Metadata(string key) =>
        typeof(LibTorchFiles).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
