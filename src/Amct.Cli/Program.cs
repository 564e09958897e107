using Amct.Cli.Parsing;
using Amct.Engine;
using Amct.Engine.Retraining;
using System.CommandLine;

namespace Amct.Cli;

/// <summary>
/// Entry point of <c>amct</c>. Errors the user can act on are printed as one canonical line
/// (<c>file: error AMCTnnnn: message</c>, which MSBuild turns into a build error) and exit with code 1; usage errors
/// exit with 2; anything unexpected is reported as AMCT5999 with exit code 3, never as a bare stack trace.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error) => Run(args, output, error, null);

    /// <summary>The command line with <paramref name="retrainer"/> serving the Retrain setting (amct-qat's entry point).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, IRetrainer? retrainer)
    {
        try
        {
            if (args is ["--version"])
            {
                output.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "unknown");
                return 0;
            }
            var root = AmctCommandLine.Create(output, error, retrainer);
            // Without arguments: the help, as a usage error.
            var parse = root.Parse(args.Count == 0 ? ["--help"] : args, AmctCommandLine.ParserConfiguration);
            var invocation = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
            if (parse.Action is System.CommandLine.Help.HelpAction)
            {
                parse.Invoke(invocation);
                return args.Count == 0 ? 2 : 0;
            }
            AmctCommandLine.ThrowIfInvalid(parse);
            return parse.Invoke(invocation);
        }
        catch (AmctException e)
        {
            error.WriteLine(e.ToCanonicalString());
            return e.Code is ErrorCodes.BadArgument or ErrorCodes.UnknownCommand ? 2 : 1;
        }
#pragma warning disable CA1031 // The last line of defence: report any failure as a coded error, not a stack trace.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error.WriteLine($"amct: error {ErrorCodes.InternalError}: internal error: {e.GetType().Name}: {e.Message} " +
                "This is a bug in amct; please report it with the command line and the model.");
            if (Environment.GetEnvironmentVariable("AMCT_DEBUG") == "1")
            {
                error.WriteLine(e);
            }
            return 3;
        }
    }
}
