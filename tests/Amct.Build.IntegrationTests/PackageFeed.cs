using System.Reflection;

namespace Amct.Build.IntegrationTests;

/// <summary>
/// The package under test, packed once per test run: `dotnet pack src/Amct.Build` into a <see cref="LocalFeed"/>
/// (unique version, own packages folder, a consumer root with its nuget.config).
/// </summary>
[TestClass]
public static class PackageFeed
{
    private static LocalFeed? _feed;

    private static LocalFeed Feed => _feed ?? throw new InvalidOperationException("the feed is packed at assembly initialization");

    public static string Version => Feed.Version;
    public static string FeedDirectory => Feed.FeedDirectory;
    public static string PackagePath { get; private set; } = "";
    public static string PackagesDirectory => Feed.PackagesDirectory;

    /// <summary>Consumer projects live in folders under this one.</summary>
    public static string ProjectsRoot => Feed.ProjectsRoot;

    public static IReadOnlyDictionary<string, string> Environment => Feed.Environment;

    public static string Configuration => typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "Configuration").Value!;

    [AssemblyInitialize]
    public static void Pack(TestContext context)
    {
        _feed = new LocalFeed(Configuration);
        (PackagePath, var pack) = _feed.Pack(Path.Combine("src", "Amct.Build", "Amct.Build.csproj"), "Amct.Build");
        context.WriteLine($"Packed {PackagePath} in {pack.Elapsed.TotalSeconds:0.0} s");
    }

    [AssemblyCleanup]
    public static void Cleanup() => _feed?.Dispose();
}
