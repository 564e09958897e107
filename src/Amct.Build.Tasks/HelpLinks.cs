namespace Amct.Build.Tasks;

/// <summary>
/// The help link of each error code, shown by IDEs next to the error: the README's code table it is documented in
/// (a test checks that both anchors are headings of the README and that the base is the package's project URL).
/// </summary>
internal static class HelpLinks
{
    /// <summary>The package's PackageProjectUrl (src/Amct.Build/Amct.Build.csproj), where GitHub renders the README.</summary>
    public const string ReadmeUrl = "https://github.com/amct-build/Amct.Build";

    /// <summary>Errors of the build integration: settings (AMCT12xx) and the worker's environment (AMCT51xx).</summary>
    public const string BuildCodesAnchor = "msbuild-error-codes";

    /// <summary>Every other code: the engine's errors about a model, its data and files.</summary>
    public const string EngineCodesAnchor = "error-codes";

    public static string? For(string? code) => code is null || !code.StartsWith("AMCT", System.StringComparison.Ordinal)
        ? null
        : ReadmeUrl + "#" + (code.StartsWith("AMCT12", System.StringComparison.Ordinal) || code.StartsWith("AMCT51", System.StringComparison.Ordinal)
            ? BuildCodesAnchor
            : EngineCodesAnchor);
}
