using Amct.Qat.Training;

namespace Amct.Qat;

/// <summary>
/// Entry point of <c>amct-qat</c>: the amct command line (quantize, job, inspect, evaluate) with the Retrain setting
/// served by <see cref="QatRetrainer"/> (Distill, AdaRound; Auto chooses among them). libtorch is loaded only when a job retrains.
/// </summary>
public static class Program
{
    public static int Main(string[] args) => Cli.Program.Run(args, Console.Out, Console.Error, new QatRetrainer());
}
