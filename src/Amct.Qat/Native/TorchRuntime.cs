using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Amct.Engine;
using Amct.Engine.IO;

namespace Amct.Qat.Native;

/// <summary>
/// Makes TorchSharp usable in this process, once, before its first call: sets OpenMP's environment, loads libtorch
/// from the NuGet cache and TorchSharp's native library — on Linux a copy whose GLIBCXX_3.4.32 requirement is weak (see
/// <see cref="ElfVersionNeeds"/>), kept in a cache folder keyed by the original's hash. TorchSharp then finds its
/// library already loaded instead of copying 600 MB of libtorch next to the app.
/// </summary>
internal static partial class TorchRuntime
{
    /// <summary>The one version TorchSharp's library asks of libstdc++ that GCC 12's libstdc++ lacks.</summary>
    public const string Gcc13Version = "GLIBCXX_3.4.32";

    private static readonly object Gate = new();
    private static bool _loaded;

    /// <summary>Loads libtorch once; <paramref name="threads"/> is libtorch's intra-op thread count.</summary>
    public static void EnsureLoaded(int threads)
    {
        lock (Gate)
        {
            if (!_loaded)
            {
                Load(threads);
                // libtorch accepts this once per process, before any parallel work; the job's ops are intra-op only.
                TorchSharp.torch.set_num_interop_threads(1);
                _loaded = true;
            }
        }
        TorchSharp.torch.set_num_threads(threads);
    }

    private static void Load(int threads)
    {
        // libgomp reads these when it is loaded. Busy-waiting worker threads (the default) collapse when several
        // builds share the cores: an epoch measured 2 s alone went to 100 s under load. Set natively, since .NET's
        // Environment.SetEnvironmentVariable does not reach the C environment on Unix; a value the user set wins.
        SetIfUnset("OMP_WAIT_POLICY", "PASSIVE");
        SetIfUnset("OMP_NUM_THREADS", threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetIfUnset("MKL_NUM_THREADS", threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var files = LibTorchFiles.Locate();
        foreach (var library in files.Platform.LoadOrder)
        {
            LoadLibrary(Path.Combine(files.LibTorchDirectory, library));
        }
        var torchSharp = LoadLibrary(files.Platform.WeakenGlibcxx ? PatchedCopy(files.TorchSharpLibrary) : files.TorchSharpLibrary);
        AnswerTorchSharpLookups(torchSharp);
    }

    /// <summary>
    /// Makes TorchSharp's lookups of its native library (its [DllImport]s and its own loader's NativeLibrary.TryLoad)
    /// get the library loaded above. Linux and Windows would also match it by name among the loaded libraries; macOS's
    /// loader need not, and without this TorchSharp would copy libtorch next to the worker.
    /// </summary>
    private static void AnswerTorchSharpLookups(IntPtr torchSharp)
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(TorchSharp.torch).Assembly,
                (name, _, _) => name == NativeLibraryName ? torchSharp : IntPtr.Zero);
        }
        catch (InvalidOperationException)
        {
            // A resolver is already set (by TorchSharp itself in some version): the lookup by name remains.
        }
    }

    /// <summary>The name TorchSharp's [DllImport]s and its loader ask for.</summary>
    private const string NativeLibraryName = "LibTorchSharp";

    /// <summary>The TorchSharp library with the GCC 13 requirement weak, written once into the cache folder.</summary>
    internal static string PatchedCopy(string original)
    {
        var bytes = File.ReadAllBytes(original);
        var hash = Convert.ToHexString(SHA256.HashData(bytes))[..16].ToLowerInvariant();
        var folder = Path.Combine(CacheRoot(), "torchsharp-native", hash);
        var patched = Path.Combine(folder, Path.GetFileName(original));
        if (File.Exists(patched))
        {
            return patched;
        }
        ElfVersionNeeds.MarkWeak(bytes, Gcc13Version);
        Directory.CreateDirectory(folder);
        // Atomic, so a concurrent build never loads a half-written library.
        AtomicFile.WriteAllBytes(patched, bytes);
        return patched;
    }

    /// <summary>AMCT_QAT_CACHE, else $XDG_CACHE_HOME/amct-build, else ~/.cache/amct-build.</summary>
    internal static string CacheRoot() =>
        Environment.GetEnvironmentVariable("AMCT_QAT_CACHE") is { Length: > 0 } cache ? cache : UserCache.Root();

    private static IntPtr LoadLibrary(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException e)
        {
            throw new AmctException(ErrorCodes.LibTorchLoadFailed, path,
                $"the library does not load on this machine: {e.Message} On Linux, retraining needs glibc 2.28 or newer.", e);
        }
    }

    private static void SetIfUnset(string name, string value)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name)))
        {
            // On Windows .NET sets the process environment the C runtime of a DLL loaded later reads; there is no libc.
            if (!OperatingSystem.IsWindows())
            {
                _ = SetEnv(name, value, 0);
            }
            Environment.SetEnvironmentVariable(name, value);
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
