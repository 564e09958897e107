using Amct.TestSupport;

namespace Amct.Build.IntegrationTests;

/// <summary>
/// A temporary folder feed that this repository's packages are packed into, with a unique prerelease version (so no
/// NuGet cache anywhere can serve an older build of them), a NuGet packages folder of its own, and a root folder for
/// consumer projects with a nuget.config (the feed, then nuget.org) and empty Directory.Build.* files that keep any
/// outer build settings away. The machine's global packages folder, when there is one, is a read-only fallback, so the
/// SDK's reference packs (and libtorch) are not downloaded again; the packed packages can only come from the feed.
/// Shared by the integration tests (PackageFeed) and the retraining tests (tests/Amct.Qat.Tests links this file).
/// </summary>
internal sealed class LocalFeed : IDisposable
{
    private readonly TempFolder _root = new();

    public LocalFeed(string configuration)
    {
        Configuration = configuration;
        Version = "0.1.0-e2e." + Guid.NewGuid().ToString("N")[..12];
        FeedDirectory = Directory.CreateDirectory(_root.File("feed")).FullName;
        PackagesDirectory = Directory.CreateDirectory(_root.File("packages")).FullName;
        ProjectsRoot = Directory.CreateDirectory(_root.File("projects")).FullName;
        WriteConsumerRoot();
    }

    public string Configuration { get; }
    public string Version { get; }
    public string FeedDirectory { get; }
    public string PackagesDirectory { get; }

    /// <summary>Consumer projects live in folders under this one.</summary>
    public string ProjectsRoot { get; }

    /// <summary>The environment of a consumer's dotnet commands: the feed's own packages folder.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["NUGET_PACKAGES"] = PackagesDirectory,
    };

    /// <summary>`dotnet pack` of a project of this repository into the feed; returns the package's path.</summary>
    public (string Path, CommandResult Pack) Pack(string projectRelative, string packageId)
    {
        var pack = DotNet.Run(SharedData.RepositoryRoot, null, "pack", projectRelative, "-c", Configuration, "-o", FeedDirectory,
            $"-p:PackageVersion={Version}", "-nr:false", "-p:UseSharedCompilation=false");
        Assert.AreEqual(0, pack.ExitCode, $"packing {packageId} failed:\n{pack}");
        var path = Path.Combine(FeedDirectory, $"{packageId}.{Version}.nupkg");
        Assert.IsTrue(File.Exists(path), $"{path} was not created:\n{pack}");
        return (path, pack);
    }

    public void Dispose() => _root.Dispose();

    private void WriteConsumerRoot()
    {
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
}
