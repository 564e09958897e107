using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml;
using System.Xml.Linq;
using Amct.Engine;
using Amct.Engine.Settings;

namespace Amct.Build.Tasks.Settings;

/// <summary>
/// Finds misspelt setting names, which MSBuild would otherwise ignore in silence (<c>CalibratonData</c>,
/// <c>AmctCalibMethod</c>): AmctModel metadata close to a setting's name, and Amct* properties that are neither a
/// setting's property nor one of the build's own. The settings contract knows every valid name.
/// </summary>
internal static class UnknownSettingNames
{
    /// <summary>The Amct* properties of the build itself (Amct.Build.targets), which are not per-model settings.</summary>
    public static readonly IReadOnlyList<string> BuildProperties =
    [
        "AmctIntermediateOutputPath", "AmctDotNetHostPath", "AmctWorkerEnvironment", "AmctWorkerPath", "AmctTasksAssembly",
        "AmctUseTaskHost",
    ];

    private static IEnumerable<string> KnownProperties =>
        SettingList.All.Select(s => s.Property).OfType<string>().Concat(BuildProperties);

    /// <summary>
    /// Warnings for an item's custom metadata that look like a mistyped setting. Metadata far from every setting name is
    /// left alone: projects attach their own metadata to items (and MSBuild's well-known Link, Visible… never warn).
    /// </summary>
    public static IEnumerable<Diagnostic> InMetadata(string item, IEnumerable<string> names, string errorFile)
    {
        var settings = SettingList.All.Where(s => s.InMSBuild).Select(s => s.Name).ToList();
        foreach (var name in names.Where(n => !settings.Contains(n, StringComparer.OrdinalIgnoreCase) && !IsWellKnown(n)))
        {
            if (NameSuggestions.Closest(name, settings) is { } closest)
            {
                yield return new Diagnostic(ErrorCodes.SettingNameUnknown, errorFile,
                    $"AmctModel '{item}': '{name}' is not an Amct.Build setting and is ignored. Did you mean '{closest}'?", item, name);
            }
        }
    }

    /// <summary>Warnings for Amct* properties no setting or build property has.</summary>
    public static IEnumerable<Diagnostic> InProperties(IEnumerable<string> names, string errorFile)
    {
        foreach (var name in names.Where(n => n.StartsWith("Amct", StringComparison.OrdinalIgnoreCase) && !n.StartsWith("_", StringComparison.Ordinal))
                     .Where(n => !KnownProperties.Contains(n, StringComparer.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var closest = NameSuggestions.Closest(name, KnownProperties);
            yield return new Diagnostic(ErrorCodes.SettingNameUnknown, errorFile,
                $"the property '{name}' is not an Amct.Build setting and is ignored." +
                (closest is null ? " The README lists the settings." : $" Did you mean '{closest}'?"), property: name);
        }
    }

    /// <summary>The properties a project file sets itself (any PropertyGroup); empty if it cannot be read.</summary>
    public static IEnumerable<string> PropertiesIn(string projectFile)
    {
        try
        {
            var project = XDocument.Load(projectFile);
            return project.Root?.Elements().Where(e => e.Name.LocalName == "PropertyGroup").Elements()
                .Select(e => e.Name.LocalName).ToList() ?? [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or XmlException)
        {
            return [];
        }
    }

    // Metadata every item may carry (MSBuild's, the SDK's and Visual Studio's), close to no setting name but checked
    // first anyway so that no future setting name makes them warn.
    private static bool IsWellKnown(string name) => WellKnown.Contains(name, StringComparer.OrdinalIgnoreCase);

    private static readonly string[] WellKnown =
    [
        "Link", "Visible", "DependentUpon", "SubType", "Generator", "LastGenOutput", "DesignTime", "AutoGen",
        "CustomToolNamespace", "Pack", "PackagePath", "PackageCopyToOutput", "TargetPath", "PublishState",
        "ExcludeFromSingleFile", "IncludeInPackage", "Private", "CopyToOutputDirectory", "CopyToPublishDirectory",
    ];
}
