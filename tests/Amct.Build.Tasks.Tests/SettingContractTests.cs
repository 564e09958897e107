using System.Text.RegularExpressions;
using System.Xml.Linq;
using Amct.Engine.Settings;
using Amct.TestSupport;

namespace Amct.Build.Tasks.Tests;

/// <summary>
/// The settings contract (src/Amct.Engine/Settings) against the places that still restate it: the targets'
/// ItemDefinitionGroup (MSBuild needs it to default metadata from properties) and the README's tables.
/// </summary>
[TestClass]
public sealed partial class SettingContractTests
{
    private static readonly IReadOnlyList<Setting> MSBuildSettings = SettingList.All.Where(s => s.InMSBuild).ToList();

    [TestMethod]
    public void The_targets_default_every_metadata_from_its_property_and_nothing_else()
    {
        var targets = XDocument.Load(Path.Combine(SharedData.RepositoryRoot, "build", "Amct.Build.targets"));
        XNamespace ns = targets.Root!.Name.Namespace;
        var defaults = targets.Descendants(ns + "ItemDefinitionGroup").Elements(ns + "AmctModel").Elements()
            .ToDictionary(e => e.Name.LocalName, e => e.Value);
        CollectionAssert.AreEquivalent(MSBuildSettings.Select(s => s.Name).ToList(), defaults.Keys.ToList());
        foreach (var setting in MSBuildSettings)
        {
            Assert.AreEqual(setting.Property is { } property ? $"$({property})" : "", defaults[setting.Name], setting.Name);
        }
    }

    [TestMethod]
    public void The_targets_use_only_known_Amct_properties_and_default_them_as_the_contract_does()
    {
        var path = Path.Combine(SharedData.RepositoryRoot, "build", "Amct.Build.targets");
        var text = File.ReadAllText(path);
        var known = SettingList.All.Select(s => s.Property).OfType<string>().Concat(Settings.UnknownSettingNames.BuildProperties).ToList();
        foreach (var used in PropertyUse().Matches(text).Select(m => m.Groups[1].Value).Distinct())
        {
            CollectionAssert.Contains(known, used, "a public Amct* property the task would warn about");
        }
        var targets = XDocument.Load(path);
        XNamespace ns = targets.Root!.Name.Namespace;
        foreach (var property in targets.Descendants(ns + "PropertyGroup").Elements().Where(e => !e.Value.Contains('$', StringComparison.Ordinal)))
        {
            if (SettingList.All.FirstOrDefault(s => s.Property == property.Name.LocalName) is { } setting)
            {
                Assert.AreEqual(DocumentedDefault(setting), property.Value, $"the targets' default of {setting.Property}");
            }
        }
        var readme = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "README.md"));
        foreach (var property in Settings.UnknownSettingNames.BuildProperties)
        {
            StringAssert.Contains(readme, $"`{property}`");
        }
    }

    [TestMethod]
    public void The_readme_settings_table_has_every_metadata_with_its_property_and_default()
    {
        var rows = TableRows(Section("### Settings", "Properties of the build itself"));
        foreach (var setting in MSBuildSettings)
        {
            var row = rows.FirstOrDefault(r => Names(r[0]).Contains(setting.Name));
            Assert.IsNotNull(row, $"README: no row for {setting.Name}");
            var properties = Names(row[1]);
            if (setting.Property is { } property)
            {
                CollectionAssert.Contains(properties, property, setting.Name);
            }
            else
            {
                Assert.AreEqual("—", row[1], $"{setting.Name} has no property");
            }
            if (DocumentedDefault(setting) is { } value)
            {
                StringAssert.Contains(row[2], $"`{value}`", $"README default of {setting.Name}");
            }
        }
        var documented = rows.SelectMany(r => Names(r[0])).Except(["Link"]);
        CollectionAssert.IsSubsetOf(documented.ToList(), MSBuildSettings.Select(s => s.Name).ToList(), "README rows the contract does not know");
    }

    [TestMethod]
    public void The_readme_documents_every_flag_and_its_quantize_table_no_unknown_one()
    {
        var readme = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "README.md"));
        foreach (var setting in SettingList.All.Where(s => s.OnCommandLine))
        {
            StringAssert.Contains(readme, $"`--{setting.Flag}", $"README: --{setting.Flag}");
        }
        var flags = TableRows(Section("`quantize` writes five files", "Settings given on the command line"))
            .SelectMany(r => Flag().Matches(r[0]).Select(m => m.Groups[1].Value)).ToList();
        Assert.IsNotEmpty(flags);
        var known = SettingList.All.SelectMany(s => new[] { s.Flag, s.NegatedFlag }).Append("json");
        CollectionAssert.IsSubsetOf(flags, known.ToList(), "README options the contract does not know");
    }

    [TestMethod]
    public void Every_setting_has_one_name_one_flag_a_description_and_a_valid_default()
    {
        Assert.AreEqual(SettingList.All.Count, SettingList.All.Select(s => s.Name).Distinct().Count());
        var flags = SettingList.All.SelectMany(s => new[] { s.Flag, s.NegatedFlag }).OfType<string>().ToList();
        Assert.AreEqual(flags.Count, flags.Distinct().Count(), "a flag used twice");
        foreach (var setting in SettingList.All)
        {
            Assert.IsFalse(string.IsNullOrWhiteSpace(setting.Description), setting.Name);
            Assert.AreEqual(setting.OnCommandLine, setting.Flag is not null, setting.Name);
            if (setting.Kind is SettingKind.Choice)
            {
                Assert.IsNotNull(setting.Parse(setting.DefaultText, metadata: true, out _, out _), $"{setting.Name}'s default");
            }
        }
    }

    [TestMethod]
    [DataRow("PerChannel")]
    [DataRow("per-channel")]
    [DataRow("per_channel")]
    [DataRow("PERCHANNEL")]
    public void Choices_take_every_usual_spelling_and_give_the_flag_spelling(string text) =>
        Assert.AreEqual("per-channel", SettingList.WeightGranularity.Parse(text, metadata: true, out _, out _));

    [TestMethod]
    [DataRow("MinAccuracy", "NaN")]
    [DataRow("MinAccuracy", "-1")]
    [DataRow("MaxAccuracyDrop", "1.5")]
    [DataRow("MinSqnrDb", "Infinity")]
    [DataRow("BatchSize", "2147483647")]
    [DataRow("BatchSize", "0")]
    [DataRow("ConfigFile", "a\0b")]
    public void Values_out_of_range_are_refused(string name, string text)
    {
        var setting = SettingList.All.Single(s => s.Name == name);
        Assert.IsNull(setting.Parse(text, metadata: true, out var problem, out var message));
        Assert.IsNotNull(problem);
        Assert.IsNotNull(message);
    }

    [TestMethod]
    public void Parsed_values_format_back_to_the_same_value()
    {
        foreach (var (setting, text) in new (Setting, string)[]
        {
            (SettingList.MinCosineSimilarity, "0.995"), (SettingList.SampleCount, "64"), (SettingList.Fusion, "False"),
            (SettingList.SkipLayers, "a; b,c"), (SettingList.CalibrationMethod, "MinMax"),
        })
        {
            var value = setting.Parse(text, metadata: true, out _, out _)!;
            var again = setting.Parse(Setting.Format(value), metadata: false, out _, out _)!;
            Assert.AreEqual(Setting.Format(value), Setting.Format(again), setting.Name);
        }
    }

    private static string? DocumentedDefault(Setting setting) => setting.Kind switch
    {
        SettingKind.Choice => setting.Choices.FirstOrDefault(c => c.FlagValue == setting.DefaultText)?.MetadataValue,
        SettingKind.Boolean or SettingKind.Count when setting.Parse(setting.DefaultText, true, out _, out _) is not null => setting.DefaultText,
        _ => null,
    };

    private static string Section(string start, string end)
    {
        var readme = File.ReadAllText(Path.Combine(SharedData.RepositoryRoot, "README.md"));
        var from = readme.IndexOf(start, StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, from, start);
        return readme[from..readme.IndexOf(end, from, StringComparison.Ordinal)];
    }

    private static List<string[]> TableRows(string text) => text.Split('\n')
        .Where(l => l.StartsWith("| ", StringComparison.Ordinal))
        .Select(l => l.Trim().Trim('|').Split(" | ").Select(c => c.Trim()).ToArray())
        .Skip(1)
        .ToList();

    private static List<string> Names(string cell) => Name().Matches(cell).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("`([A-Za-z0-9]+)`")]
    private static partial Regex Name();

    [GeneratedRegex(@"\$\((Amct[A-Za-z0-9]+)\)")]
    private static partial Regex PropertyUse();

    [GeneratedRegex("`--([a-z0-9-]+)")]
    private static partial Regex Flag();
}
