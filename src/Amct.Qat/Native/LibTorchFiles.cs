using System.Reflection;
using Amct.Engine;

namespace Amct.Qat.Native;

/// <summary>
/// Where this machine's native libraries of the pinned TorchSharp and libtorch packages are (<see cref="LibTorchPlatform"/>
/// names them per runtime identifier): the package folders the build restored into (AMCT_NUGET_PACKAGE_FOLDERS, which
/// Amct.Build.Qat's targets set from NuGet's ';'-separated list, fallback folders included; then NUGET_PACKAGES, else
/// ~/.nuget/packages), or folders named by AMCT_LIBTORCH_DIR (libtorch's libraries) and AMCT_TORCHSHARP_NATIVE_DIR
/// (TorchSharp's native library) for machines with another package layout.
/// </summary>
internal sealed record LibTorchFiles(LibTorchPlatform Platform, string LibTorchDirectory, string TorchSharpLibrary)
{
    public const string LibTorchDirVariable = "AMCT_LIBTORCH_DIR";
    public const string TorchSharpDirVariable = "AMCT_TORCHSHARP_NATIVE_DIR";
    public const string PackageFoldersVariable = "AMCT_NUGET_PACKAGE_FOLDERS";

    public static string TorchSharpVersion => Metadata("TorchSharpVersion");
    public static string LibTorchVersion => Metadata("LibTorchVersion");

    /// <exception cref="AmctException">AMCT6005 on a platform no libtorch package serves; AMCT6003 when a library is missing.</exception>
    public static LibTorchFiles Locate()
    {
        var platform = LibTorchPlatform.For(LibTorchPlatform.CurrentRid());
        var libtorch = Environment.GetEnvironmentVariable(LibTorchDirVariable) is { Length: > 0 } l
            ? l
            : InPackages(platform.LibTorchFolder(LibTorchVersion));
        var torchSharp = Environment.GetEnvironmentVariable(TorchSharpDirVariable) is { Length: > 0 } t
            ? t
            : InPackages(platform.TorchSharpFolder(TorchSharpVersion));
        var files = new LibTorchFiles(platform, libtorch, Path.Combine(torchSharp, platform.TorchSharpLibrary));
        foreach (var file in platform.LoadOrder.Select(f => Path.Combine(libtorch, f)).Append(files.TorchSharpLibrary))
        {
            if (!File.Exists(file))
            {
                throw new AmctException(ErrorCodes.LibTorchNotFound, file,
                    $"retraining needs libtorch {LibTorchVersion} ({platform.LibTorchPackage}) and TorchSharp {TorchSharpVersion}, " +
                    $"restored with the Amct.Build.Qat package; this file is missing. Restore the project again, or point " +
                    $"{LibTorchDirVariable} and {TorchSharpDirVariable} at the folders that hold the native libraries.");
            }
        }
        return files;
    }

    /// <summary>The first package folder holding <paramref name="relative"/>, else where the first would hold it.</summary>
    internal static string InPackages(string relative)
    {
        var folders = (Environment.GetEnvironmentVariable(PackageFoldersVariable) ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
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
