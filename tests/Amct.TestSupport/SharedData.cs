using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace Amct.TestSupport;

/// <summary>
/// Locates the repository and the shared development data (<c>../shared/data</c> beside the repository root, which a
/// clone does not have). Only tests in the opt-in SharedData suite (<see cref="TestCategories"/>) may read the shared
/// data; the default run uses <see cref="TestData"/>. A missing prerequisite fails the test with what to do; it never
/// skips.
/// </summary>
public static class SharedData
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string DataFolder => RequireFolder(Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data")),
        "the shared development data (expected at ../shared/data beside the repository root)");

    public static string PathOf(string relative)
    {
        var path = Path.Combine(DataFolder, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
        {
            Assert.Fail($"Missing shared data file '{path}'. Check out the shared/ folder beside the repository (the SharedData suite needs it).");
        }
        return path;
    }

    public static string RequireFolder(string path, string what)
    {
        if (!Directory.Exists(path))
        {
            Assert.Fail($"Missing {what}: '{path}' does not exist.");
        }
        return path;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Amct.Build.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"Amct.Build.sln not found above {AppContext.BaseDirectory}");
    }
}
