using System.CommandLine;
using Amct.Engine.Settings;

namespace Amct.Cli.Parsing;

/// <summary>
/// The command-line options of a set of settings, made from the contract (<see cref="SettingList"/>): one option per
/// flag with its value names and description for <c>--help</c>, plus the kept negated switches (<c>--no-fusion</c>).
/// Values stay text here; <see cref="Options.QuantizeOptions"/> reads them with the contract, as it reads a job file.
/// </summary>
internal sealed class SettingOptions
{
    private readonly List<(Setting Setting, Option Option, bool Negated)> _options = [];

    public SettingOptions(IEnumerable<Setting> settings)
    {
        foreach (var setting in settings.Where(s => s.OnCommandLine))
        {
            var description = setting.Description + (setting.DefaultText is "none" or "false" || setting.DefaultText.StartsWith('(') || setting.DefaultText.StartsWith('{')
                ? "" : $" (default: {setting.DefaultText})");
            if (setting.Kind == SettingKind.Boolean)
            {
                // A bool option takes "true"/"false" after it only when the next word is one, so "--fusion model.onnx" works.
                _options.Add((setting, new Option<bool>("--" + setting.Flag) { Description = description }, false));
                if (setting.NegatedFlag is { } negated)
                {
                    _options.Add((setting, new Option<bool>("--" + negated) { Description = $"the same as --{setting.Flag} false" }, true));
                }
            }
            else
            {
                _options.Add((setting, new Option<string>("--" + setting.Flag) { Description = description, HelpName = ValueName(setting) }, false));
            }
        }
    }

    public IEnumerable<Option> All => _options.Select(o => o.Option);

    /// <summary>The settings the command line gives, as text in the contract's vocabulary.</summary>
    public IEnumerable<KeyValuePair<Setting, string>> Given(ParseResult parse)
    {
        foreach (var (setting, option, negated) in _options)
        {
            // A bool option that is not on the command line still has an implicit result (its default, false): for a
            // negated switch (--no-weight-range-search) that read as "the setting is true", which turned settings whose
            // default is off on. Only options the user typed count.
            if (parse.GetResult(option) is null or { Implicit: true })
            {
                continue;
            }
            var text = option is Option<bool> flag
                ? Setting.Format(parse.GetValue(flag) != negated)
                : parse.GetValue((Option<string>)option) ?? "";
            yield return new(setting, text);
        }
    }

    private static string ValueName(Setting setting) => setting.Kind switch
    {
        SettingKind.Choice => string.Join("|", setting.Choices.Select(c => c.FlagValue)),
        SettingKind.Count => "N",
        SettingKind.Fraction => "F",
        SettingKind.Number => "DB",
        SettingKind.List => "a,b",
        SettingKind.File or SettingKind.Data => "path",
        _ => "text",
    };
}
