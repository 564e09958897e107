using System.Reflection;
using Amct.TestSupport;

namespace Amct.Build.IntegrationTests;

/// <summary>
/// The package under test, packed once per test run: `dotnet pack src/Amct.Build` into a temporary folder feed with
/// a unique prerelease version (so no NuGet cache anywhere can serve an older build of it), a NuGet packages folder of
/// its own, and a root folder for consumer projects with a nuget.config (the feed, then nuget.org) and empty
/// Directory.Build.* files that keep any outer build settings away. The machine's global packages folder, when there is
/// one, is a read-only fallback, so the SDK's reference packs are not downloaded again; Amct.Build itself can only
/// come from the feed.
/// </summary>
[TestClass]
public static class PackageFeed
{
    private static TempFolder? _root;

    public static string Version { get; private set; } = "";
    public static string FeedDirectory { get; private set; } = "";
    public static string PackagePath { get; private set; } = "";
    public static string PackagesDirectory { get; private set; } = "";

    /// <summary>Consumer projects live in folders under this one.</summary>
    public static string ProjectsRoot { get; private set; } = "";

    public static IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = PackagesDirectory,
    };

    public static string Configuration => typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Configuration").Value!;

    [AssemblyInitialize]
    public static void Pack(TestContext context)
    {
        _ = context;
        _root = new TempFolder();
        Version = "0.1.0-e2e." + Guid.NewGuid().ToString("N")[..12];
        FeedDirectory = Directory.CreateDirectory(_root.File("feed")).FullName;
        PackagesDirectory = Directory.CreateDirectory(_root.File("packages")).FullName;
        ProjectsRoot = Directory.CreateDirectory(_root.File("projects")).FullName;

        var pack = DotNet.Run(SharedData.RepositoryRoot, null, "pack", Path.Combine("src", "Amct.Build", "Amct.Build.csproj"),
            "-c", Configuration, "-o", FeedDirectory, $"-p:PackageVersion={Version}", "-nr:false", "-p:UseSharedCompilation=false");
        Assert.AreEqual(0, pack.ExitCode, $"packing Amct.Build failed:\n{pack}");
        PackagePath = Path.Combine(FeedDirectory, $"Amct.Build.{Version}.nupkg");
        Assert.IsTrue(File.Exists(PackagePath), $"{PackagePath} was not created:\n{pack}");
        context.WriteLine($"Packed {PackagePath} in {pack.Elapsed.TotalSeconds:0.0} s");

        var machinePackages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var fallback = Directory.Exists(machinePackages)
            ? $"""<fallbackPackageFolders><clear /><add key="machine" value="{machinePackages}" /></fallbackPackageFolders>"""
            : "";
        File.WriteAllText(Path.Combine(ProjectsRoot, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="amct-e2e" value="{FeedDirectory}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              {fallback}
            </configuration>
            """);
        File.WriteAllText(Path.Combine(ProjectsRoot, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(ProjectsRoot, "Directory.Build.targets"), "<Project />");
        File.WriteAllText(Path.Combine(ProjectsRoot, "Directory.Packages.props"),
            "<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>");
    }

    [AssemblyCleanup]
    public static void Cleanup() => _root?.Dispose();
}
