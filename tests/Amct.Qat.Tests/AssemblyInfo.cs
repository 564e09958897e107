// libtorch keeps process-wide state (threads, the loaded library); the tests run one at a time.
[assembly: DoNotParallelize]

namespace Amct.Qat.Tests;

[TestClass]
public static class QatAssembly
{
    /// <summary>
    /// Loads libtorch the worker's way before any test touches TorchSharp: TorchSharp's own loader, which the first
    /// use of a torch function runs otherwise, fails here for good (for the whole process) on the patched library.
    /// </summary>
    [AssemblyInitialize]
    public static void LoadLibTorch(TestContext context) => Native.TorchRuntime.EnsureLoaded(1);
}
