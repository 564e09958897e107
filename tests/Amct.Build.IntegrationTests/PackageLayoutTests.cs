using System.IO.Compression;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.Json;
using System.Xml.Linq;

namespace Amct.Build.IntegrationTests;

[TestClass]
public sealed class PackageLayoutTests
{
    private static readonly string[] Runtimes = ["linux-x64", "linux-arm64", "osx-arm64", "win-x64", "win-arm64"];

    /// <summary>
    /// The upper bound on the package size, about 10 % above the measured size (README, "Install"), so it cannot
    /// silently grow again (it was 206 MB with SkiaSharp's 17 platforms and Windows PDBs, then 76.8 MB with SkiaSharp
    /// for the five runtimes, before image decoding became managed code).
    /// </summary>
    private const long MaxPackageBytes = 55_000_000;

    [TestMethod]
    public void The_package_stays_small_with_no_pdbs_no_duplicates_and_native_libraries_for_the_five_runtimes_only()
    {
        var size = new FileInfo(PackageFeed.PackagePath).Length;
        Assert.IsLessThanOrEqualTo(MaxPackageBytes, size, $"the package is {size:N0} bytes");
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath);
        var files = package.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
        Assert.IsEmpty(files.Where(e => e.FullName.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase)).Select(e => e.FullName));
        var runtimeFolders = files.Select(e => e.FullName.Split('/'))
            .Where(parts => parts.Length > 3 && parts[0] == "tools" && parts[2] == "runtimes").Select(parts => parts[3]).Distinct().Order().ToList();
        CollectionAssert.AreEqual(Runtimes.Order().ToList(), runtimeFolders);
        // Image decoding is managed code: the only native libraries are ONNX Runtime's.
        var natives = files.Where(e => e.FullName.Contains("/native/", StringComparison.Ordinal)).Select(e => Path.GetFileName(e.FullName)).Distinct().Order(StringComparer.Ordinal).ToList();
        CollectionAssert.AreEqual(new[]
        {
            "libonnxruntime.dylib", "libonnxruntime.so", "libonnxruntime_providers_shared.so", "onnxruntime.dll", "onnxruntime_providers_shared.dll",
        }, natives);
        CollectionAssert.Contains(files.Select(e => e.FullName).ToList(), "tools/net8.0/StbImageSharp.dll");
        var duplicates = files.Where(e => e.Length > 0).GroupBy(e => (e.Length, e.Crc32)).Where(g => g.Count() > 1)
            .Select(g => string.Join(" = ", g.Select(e => e.FullName)));
        Assert.IsEmpty(duplicates, "the same file is packed twice");
    }

    [TestMethod]
    public void The_nuspec_has_a_readme_a_license_expression_a_project_url_a_description_and_tags()
    {
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath);
        XElement metadata;
        using (var nuspec = package.GetEntry("Amct.Build.nuspec")!.Open())
        {
            metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        }
        string Value(string name) => metadata.Elements().Single(e => e.Name.LocalName == name).Value;
        var license = metadata.Elements().Single(e => e.Name.LocalName == "license");
        Assert.AreEqual("expression", license.Attribute("type")!.Value);
        Assert.AreEqual("MIT", license.Value);
        Assert.AreEqual("PACKAGE.md", Value("readme"));
        Assert.IsNotNull(package.GetEntry("PACKAGE.md"), "the readme the nuspec names is in the package");
        StringAssert.StartsWith(Value("projectUrl"), "https://");
        StringAssert.Contains(Value("description"), "quantization");
        StringAssert.Contains(Value("tags"), "onnx");
    }

    [TestMethod]
    public void The_package_holds_the_targets_the_task_and_the_worker_with_every_desktop_runtime()
    {
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath);
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();
        foreach (var expected in new[]
        {
            "build/Amct.Build.props", "build/Amct.Build.targets",
            "buildMultiTargeting/Amct.Build.props", "buildMultiTargeting/Amct.Build.targets",
            "tasks/netstandard2.0/Amct.Build.Tasks.dll",
            "tools/net8.0/amct.dll", "tools/net8.0/amct.deps.json", "tools/net8.0/amct.runtimeconfig.json",
            "tools/net8.0/Amct.Engine.dll", "tools/net8.0/Microsoft.ML.OnnxRuntime.dll", "tools/net8.0/Google.Protobuf.dll",
        })
        {
            CollectionAssert.Contains(entries.ToList(), expected);
        }
        foreach (var rid in Runtimes)
        {
            Assert.IsTrue(entries.Any(e => e.StartsWith($"tools/net8.0/runtimes/{rid}/native/", StringComparison.Ordinal) && e.Contains("onnxruntime.", StringComparison.Ordinal)),
                $"ONNX Runtime for {rid} is missing");
        }
        Assert.IsFalse(entries.Any(e => e.StartsWith("lib/", StringComparison.Ordinal) || e.StartsWith("ref/", StringComparison.Ordinal)),
            "nothing may reach the consumer's references");
        CollectionAssert.AreEquivalent(new[] { "tasks/netstandard2.0/Amct.Build.Tasks.dll" },
            entries.Where(e => e.StartsWith("tasks/", StringComparison.Ordinal)).ToList(), "the task folder holds the task alone");
    }

    [TestMethod]
    public void The_package_is_a_development_dependency_with_no_dependencies()
    {
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath);
        using var nuspec = package.GetEntry("Amct.Build.nuspec")!.Open();
        var metadata = XDocument.Load(nuspec).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
        Assert.AreEqual("true", metadata.Elements().Single(e => e.Name.LocalName == "developmentDependency").Value);
        Assert.AreEqual(PackageFeed.Version, metadata.Elements().Single(e => e.Name.LocalName == "version").Value);
        var dependencies = metadata.Elements().Where(e => e.Name.LocalName == "dependencies").SelectMany(d => d.Descendants())
            .Where(e => e.Name.LocalName == "dependency");
        Assert.IsEmpty(dependencies, "no dependency may flow to consumers");
    }

    [TestMethod]
    public void The_task_references_only_MSBuild_and_netstandard()
    {
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath);
        using var stream = new MemoryStream();
        using (var dll = package.GetEntry("tasks/netstandard2.0/Amct.Build.Tasks.dll")!.Open())
        {
            dll.CopyTo(stream);
        }
        stream.Position = 0;
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var references = reader.AssemblyReferences.Select(r => reader.GetString(reader.GetAssemblyReference(r).Name)).Order().ToList();
        CollectionAssert.AreEqual(new[] { "Microsoft.Build.Framework", "Microsoft.Build.Utilities.Core", "netstandard" }, references);
    }

    [TestMethod]
    public void The_workers_deps_file_lists_exactly_the_native_libraries_the_package_has()
    {
        using var package = ZipFile.OpenRead(PackageFeed.PackagePath);
        using var deps = JsonDocument.Parse(package.GetEntry("tools/net8.0/amct.deps.json")!.Open());
        var listed = deps.RootElement.GetProperty("targets").EnumerateObject().Single().Value.EnumerateObject()
            .Where(library => library.Value.TryGetProperty("runtimeTargets", out _))
            .SelectMany(library => library.Value.GetProperty("runtimeTargets").EnumerateObject().Select(t => "tools/net8.0/" + t.Name))
            .Order().ToList();
        var packed = package.Entries.Select(e => e.FullName).Where(e => e.StartsWith("tools/net8.0/runtimes/", StringComparison.Ordinal)).Order().ToList();
        CollectionAssert.AreEqual(packed, listed);
    }
}
