using Amct.Cli.Commands;
using Amct.Engine;

namespace Amct.Cli;

/// <summary>
/// Entry point of <c>amct</c>. Errors the user can act on are printed as one canonical line
/// (<c>file: error AMCTnnnn: message</c>, which MSBuild turns into a build error) and exit with code 1; usage errors
/// exit with 2; anything unexpected is reported as AMCT5999 with exit code 3, never as a bare stack trace.
/// </summary>
public static class Program
{
    private const string Help = """
        amct - post-training int8 quantization of ONNX models (Ascend AMCT conventions)

        Usage:
          amct inspect <model.onnx> [--json]    show inputs, outputs, operators, parameters and quantizable layers
          amct quantize <model.onnx> --calibration-data <path> [options]
                                                calibrate, write <name>.int8.onnx, <name>.record.txt, <name>.quant.json
          amct evaluate <float.onnx> <int8.onnx> --data <path> [--labels <labels.npy|.csv|classes.txt>] [--json]
                                                compare the quantized model with the float one
          amct job <job.json> --result <result.json>
                                                quantize every model of a job file (the MSBuild task's worker mode)
          amct --version                        print the version
          amct --help                           print this help
        """;

    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        try
        {
            if (args.Count == 0 || args[0] is "--help" or "-h" or "help")
            {
                output.WriteLine(Help);
                output.WriteLine(DataOptionArguments.Help);
                return args.Count == 0 ? 2 : 0;
            }
            return args[0] switch
            {
                "--version" => PrintVersion(output),
                "inspect" => InspectCommand.Run(args.Skip(1).ToList(), output),
                "quantize" => QuantizeCommand.Run(args.Skip(1).ToList(), output, error),
                "evaluate" => EvaluateCommand.Run(args.Skip(1).ToList(), output),
                "job" => JobCommand.Run(args.Skip(1).ToList(), output, error),
                _ => throw new AmctException(ErrorCodes.UnknownCommand, "amct",
                    $"unknown command '{args[0]}'. Commands: inspect, quantize, evaluate, job. Run 'amct --help' for usage."),
            };
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

    private static int PrintVersion(TextWriter output)
    {
        output.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3) ?? "unknown");
        return 0;
    }
}
