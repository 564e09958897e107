using System.CommandLine;
using System.CommandLine.Help;
using Amct.Cli.Commands;
using Amct.Engine;
using Amct.Engine.Retraining;
using Amct.Engine.Settings;

namespace Amct.Cli.Parsing;

/// <summary>
/// The <c>amct</c> command tree (System.CommandLine): commands, their options and help. Problems System.CommandLine
/// finds become coded errors here (AMCT1001 unknown command, AMCT1002 bad argument, both with "did you mean …"), so
/// everything amct prints stays one canonical line that MSBuild and IDEs understand.
/// </summary>
internal static class AmctCommandLine
{
    public const string Description = "amct - post-training int8 quantization of ONNX models (Ascend AMCT conventions)";

    /// <summary>The root: a plain command named amct (a RootCommand takes the host's name, e.g. testhost in tests).</summary>
    /// <param name="retrainer">What serves the Retrain setting: the amct-qat worker's, or null for plain amct.</param>
    public static Command Create(TextWriter output, TextWriter error, IRetrainer? retrainer = null) => new("amct", Description)
    {
        new HelpOption(),
        new VersionOption(),
        InspectCommand.Create(output),
        QuantizeCommand.Create(output, error, retrainer),
        ConvertQatCommand.Create(output, error),
        EvaluateCommand.Create(output),
        JobCommand.Create(output, error, retrainer),
    };

    /// <summary>
    /// A command's positional values. They are collected as a list and counted by the command, so that an unknown
    /// option is reported as one (<see cref="ThrowIfInvalid"/>) instead of being taken for the model path.
    /// </summary>
    public static Argument<string[]> Positional(string helpName, string description) => new(helpName)
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static ParserConfiguration ParserConfiguration { get; } = new()
    {
        // "@file" is a file name to amct, never a response file.
        ResponseFileTokenReplacer = null,
    };

    /// <summary>Throws the first problem of a parse as a coded error.</summary>
    public static void ThrowIfInvalid(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        if (parse.CommandResult.Parent is null)
        {
            var first = parse.UnmatchedTokens.Count > 0 ? parse.UnmatchedTokens[0] : "";
            var names = command.Subcommands.Select(c => c.Name).ToList();
            throw new AmctException(ErrorCodes.UnknownCommand, "amct",
                $"unknown command '{first}'.{DidYouMean(first, names)} Commands: {string.Join(", ", names)}. Run 'amct --help' for usage.");
        }
        foreach (var value in command.Arguments.OfType<Argument<string[]>>().SelectMany(a => parse.GetValue(a) ?? []))
        {
            if (value.Length > 1 && value[0] == '-')
            {
                var known = command.Options.Where(o => !o.Hidden).Select(o => o.Name).ToList();
                var suggestion = DidYouMean(value.Split('=')[0], known);
                throw Usage(suggestion.Length > 0
                    ? $"unknown option '{value}'.{suggestion} Run 'amct {command.Name} --help' for every option."
                    : $"unknown option '{value}'. Valid options: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
            }
        }
        if (parse.Errors.Count > 0)
        {
            throw Usage($"{parse.Errors[0].Message} Run 'amct {command.Name} --help' for usage.");
        }
    }

    public static AmctException Usage(string message) => new(ErrorCodes.BadArgument, "amct", message);

    /// <summary>A path given on the command line; an empty one is refused here, naming the option.</summary>
    public static string PathArgument(string? text, string name) =>
        text is null || text.Trim().Length > 0 ? text! : throw Usage($"{name} is empty; give a path.");

    private static string DidYouMean(string typed, IEnumerable<string> known) =>
        NameSuggestions.Closest(typed, known) is { } closest ? $" Did you mean '{closest}'?" : "";
}
