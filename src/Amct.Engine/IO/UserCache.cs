namespace Amct.Engine.IO;

/// <summary>
/// The per-user cache folder that outlives builds and clean checkouts: what a machine measured or prepared once
/// (the QAT worker's patched native library, the speed search's remembered choices). <c>$XDG_CACHE_HOME/amct-build</c>,
/// else <c>~/.cache/amct-build</c>; each user of it names its own variable to move it.
/// </summary>
public static class UserCache
{
    public static string Root() =>
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "amct-build")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "amct-build");
}
