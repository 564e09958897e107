using System.Runtime.InteropServices;
using Amct.Engine;

namespace Amct.Qat.Native;

/// <summary>
/// Where one platform's native libraries are in the packages Amct.Build.Qat depends on: the libtorch package and the
/// folder inside it (relative to a NuGet package folder), the libraries to load in dependency order, TorchSharp's own
/// native library, and whether that library needs its GCC 13 requirement made weak (<see cref="ElfVersionNeeds"/>).
/// The platforms are those TorchSharp 0.107.0 ships a native library for and libtorch 2.10.0 has a CPU package for.
/// </summary>
/// <param name="Rid">The .NET runtime identifier, e.g. linux-x64.</param>
/// <param name="LibTorchPackage">The libtorch CPU package id (NuGet's cache folders are lower case, as these ids are).</param>
/// <param name="LoadOrder">libtorch's libraries, each after the ones it imports (OpenMP first where the package carries it).</param>
/// <param name="TorchSharpLibrary">The file name of TorchSharp's native library in the TorchSharp package.</param>
/// <param name="WeakenGlibcxx">True where TorchSharp's library asks libstdc++ for a version older systems lack.</param>
internal sealed record LibTorchPlatform(string Rid, string LibTorchPackage, IReadOnlyList<string> LoadOrder, string TorchSharpLibrary, bool WeakenGlibcxx)
{
    /// <summary>
    /// The supported platforms. The load orders follow the libraries' imports as the 2.10.0 packages ship them: on
    /// Windows torch_cpu.dll imports libiomp5md.dll (win-x64) and c10.dll; on macOS libtorch_cpu.dylib asks for libomp
    /// at Homebrew's absolute path, which the package's libomp.dylib (same install name) satisfies once loaded.
    /// </summary>
    public static readonly IReadOnlyList<LibTorchPlatform> Supported =
    [
        new("linux-x64", "libtorch-cpu-linux-x64", ["libc10.so", "libtorch_cpu.so", "libtorch.so"], "libLibTorchSharp.so", WeakenGlibcxx: true),
        new("win-x64", "libtorch-cpu-win-x64", ["libiomp5md.dll", "c10.dll", "torch_cpu.dll", "torch.dll"], "LibTorchSharp.dll", WeakenGlibcxx: false),
        new("win-arm64", "libtorch-cpu-win-arm64", ["c10.dll", "torch_cpu.dll", "torch.dll"], "LibTorchSharp.dll", WeakenGlibcxx: false),
        new("osx-arm64", "libtorch-cpu-osx-arm64", ["libomp.dylib", "libc10.dylib", "libtorch_cpu.dylib", "libtorch.dylib"], "libLibTorchSharp.dylib", WeakenGlibcxx: false),
    ];

    /// <summary>The TorchSharp package id (its cache folder name).</summary>
    public const string TorchSharpPackage = "torchsharp";

    /// <summary>The platform of <paramref name="rid"/>.</summary>
    /// <exception cref="AmctException">AMCT6005: no libtorch package serves <paramref name="rid"/>.</exception>
    public static LibTorchPlatform For(string rid) =>
        Supported.FirstOrDefault(p => p.Rid == rid) ?? throw new AmctException(ErrorCodes.RetrainUnsupportedPlatform, "Retrain",
            $"retraining needs libtorch, and the libtorch {LibTorchFiles.LibTorchVersion} CPU packages Amct.Build.Qat depends on " +
            $"serve {string.Join(", ", Supported.Select(p => p.Rid))}; this machine is {rid}. Build on one of those, or " +
            "quantize without Retrain (Retrain=Auto keeps the post-training model here).");

    /// <summary>This machine's runtime identifier, as <see cref="RidOf"/> spells it.</summary>
    public static string CurrentRid() => RidOf(
        OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : OperatingSystem.IsLinux() ? "linux" : "unknown",
        RuntimeInformation.OSArchitecture);

    /// <summary>The runtime identifier of an operating system family (linux, win, osx) and a processor architecture.</summary>
    public static string RidOf(string os, Architecture architecture) => $"{os}-{architecture.ToString().ToLowerInvariant()}";

    /// <summary>libtorch's native folder relative to a NuGet package folder.</summary>
    public string LibTorchFolder(string libTorchVersion) => Path.Combine(LibTorchPackage, libTorchVersion, "runtimes", Rid, "native");

    /// <summary>TorchSharp's native folder relative to a NuGet package folder.</summary>
    public string TorchSharpFolder(string torchSharpVersion) => Path.Combine(TorchSharpPackage, torchSharpVersion, "runtimes", Rid, "native");
}
