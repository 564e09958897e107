using Amct.Engine;

namespace Amct.Cli;

/// <summary>
/// A command's arguments: positional values, <c>--name value</c> options and <c>--switch</c> flags. Every option a
/// command does not know is an error, so a typo never silently changes nothing.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    private Arguments(List<string> positional) => Positional = positional;

    public IReadOnlyList<string> Positional { get; }

    /// <param name="args">The arguments after the command name.</param>
    /// <param name="valueOptions">Options that take a value, without the leading dashes.</param>
    /// <param name="switches">Options without a value.</param>
    public static Arguments Parse(IReadOnlyList<string> args, IEnumerable<string> valueOptions, IEnumerable<string> switches)
    {
        var takesValue = valueOptions.ToHashSet(StringComparer.Ordinal);
        var isSwitch = switches.ToHashSet(StringComparer.Ordinal);
        var parsed = new Arguments([]);
        var positional = (List<string>)parsed.Positional;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }
            var name = arg[2..];
            string? inlineValue = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                inlineValue = name[(equals + 1)..];
                name = name[..equals];
            }
            if (isSwitch.Contains(name) && inlineValue is null)
            {
                parsed._switches.Add(name);
            }
            else if (takesValue.Contains(name))
            {
                var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null)
                    ?? throw Usage($"option --{name} needs a value.");
                parsed._options[name] = value;
            }
            else
            {
                var known = takesValue.Concat(isSwitch).Order(StringComparer.Ordinal).Select(o => "--" + o);
                throw Usage($"unknown option '{arg}'. Valid options: {string.Join(", ", known)}.");
            }
        }
        return parsed;
    }

    public string? Option(string name) => _options.GetValueOrDefault(name);

    public bool Switch(string name) => _switches.Contains(name);

    public static AmctException Usage(string message) => new(ErrorCodes.BadArgument, "amct", message);
}
