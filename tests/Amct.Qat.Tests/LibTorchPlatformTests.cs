using System.Runtime.InteropServices;
using System.Xml.Linq;
using Amct.Engine;
using Amct.Qat.Native;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>
/// The runtime identifier → native files choice. Only linux-x64 loads and trains here; for the other platforms these
/// tests check the names against the real 2.10.0 packages (Amct.Qat restores all four), not that they load.
/// </summary>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class LibTorchPlatformTests
{
    [TestMethod]
    [DataRow("linux-x64", "libtorch-cpu-linux-x64", "libc10.so,libtorch_cpu.so,libtorch.so", "libLibTorchSharp.so", true)]
    [DataRow("win-x64", "libtorch-cpu-win-x64", "libiomp5md.dll,c10.dll,torch_cpu.dll,torch.dll", "LibTorchSharp.dll", false)]
    [DataRow("win-arm64", "libtorch-cpu-win-arm64", "c10.dll,torch_cpu.dll,torch.dll", "LibTorchSharp.dll", false)]
    [DataRow("osx-arm64", "libtorch-cpu-osx-arm64", "libomp.dylib,libc10.dylib,libtorch_cpu.dylib,libtorch.dylib", "libLibTorchSharp.dylib", false)]
    public void Each_supported_platform_names_its_package_folders_and_libraries(string rid, string package, string loadOrder,
        string torchSharp, bool weakenGlibcxx)
    {
        var platform = LibTorchPlatform.For(rid);

        Assert.AreEqual(package, platform.LibTorchPackage);
        Assert.AreEqual(Path.Combine(package, "2.10.0", "runtimes", rid, "native"), platform.LibTorchFolder("2.10.0"));
        Assert.AreEqual(Path.Combine("torchsharp", "0.107.0", "runtimes", rid, "native"), platform.TorchSharpFolder("0.107.0"));
        CollectionAssert.AreEqual(loadOrder.Split(','), platform.LoadOrder.ToArray());
        Assert.AreEqual(torchSharp, platform.TorchSharpLibrary);
        Assert.AreEqual(weakenGlibcxx, platform.WeakenGlibcxx);
    }

    [TestMethod]
    public void Every_named_library_is_in_its_restored_package()
    {
        foreach (var platform in LibTorchPlatform.Supported)
        {
            var libtorch = LibTorchFiles.InPackages(platform.LibTorchFolder(LibTorchFiles.LibTorchVersion));
            foreach (var library in platform.LoadOrder)
            {
                Assert.IsTrue(File.Exists(Path.Combine(libtorch, library)), $"{platform.Rid}: {library} in {libtorch}");
            }
            var torchSharp = Path.Combine(LibTorchFiles.InPackages(platform.TorchSharpFolder(LibTorchFiles.TorchSharpVersion)), platform.TorchSharpLibrary);
            Assert.IsTrue(File.Exists(torchSharp), $"{platform.Rid}: {torchSharp}");
        }
    }

    [TestMethod]
    [DataRow("linux-arm64")]
    [DataRow("osx-x64")]
    [DataRow("win-x86")]
    [DataRow("linux-musl-x64")]
    public void A_platform_no_libtorch_package_serves_is_AMCT6005_naming_it_and_the_supported_ones(string rid)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => LibTorchPlatform.For(rid));

        Assert.AreEqual(ErrorCodes.RetrainUnsupportedPlatform, error.Code);
        StringAssert.Contains(error.Message, $"this machine is {rid}.");
        StringAssert.Contains(error.Message, "serve linux-x64, win-x64, win-arm64, osx-arm64;");
    }

    [TestMethod]
    [DataRow("linux", Architecture.X64, "linux-x64")]
    [DataRow("win", Architecture.Arm64, "win-arm64")]
    [DataRow("osx", Architecture.Arm64, "osx-arm64")]
    [DataRow("osx", Architecture.X64, "osx-x64")]
    public void The_runtime_identifier_is_the_OS_family_and_the_architecture(string os, Architecture architecture, string rid) =>
        Assert.AreEqual(rid, LibTorchPlatform.RidOf(os, architecture));

    [TestMethod]
    public void This_machine_is_linux_x64() => Assert.AreEqual("linux-x64", LibTorchPlatform.CurrentRid());

    [TestMethod]
    public void The_package_declares_the_libtorch_package_of_every_supported_platform_and_no_other()
    {
        var nuspec = XDocument.Load(Path.Combine(RepositoryRoot(), "src", "Amct.Build.Qat", "Amct.Build.Qat.nuspec"));
        var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").ToList();
        var libtorch = dependencies.Select(d => (string)d.Attribute("id")!).Where(id => id.StartsWith("libtorch", StringComparison.Ordinal));

        CollectionAssert.AreEquivalent(LibTorchPlatform.Supported.Select(p => p.LibTorchPackage).ToArray(), libtorch.ToArray());
        Assert.IsTrue(dependencies.All(d => (string?)d.Attribute("exclude") == "All"), "nothing of them flows into the consumer");
    }

    private static string RepositoryRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "Amct.Build.sln")))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new InvalidOperationException("the tests run inside the repository");
        }
        return dir;
    }
}
