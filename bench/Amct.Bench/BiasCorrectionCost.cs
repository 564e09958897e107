using System.Diagnostics;
using System.Globalization;
using Amct.Engine.Pipeline;

namespace Amct.Bench;

/// <summary>
/// What bias correction (on by default) costs: each model quantized with every setting at its default and with
/// BiasCorrection=false, one after the other in one run, after an untimed warm-up job (so neither pays for loading
/// ONNX Runtime or the JIT). The ratios (default ÷ off) are of the calibration stage's seconds (bias correction is
/// timed in it) and of the whole job's wall time, <see cref="QuantizationJob.Run(QuantizeRequest, Amct.Engine.IJobLog)"/>
/// from start to published outputs.
/// </summary>
internal static class BiasCorrectionCost
{
    public static void Run(IReadOnlyList<DefaultsStudy.Case> studies, string scratch, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        if (studies.Count > 0)
        {
            Job(studies[0].Request(scratch) with { BiasCorrection = false });
        }
        output.WriteLine("### Bias correction's cost: default ÷ BiasCorrection=false, one run each");
        output.WriteLine();
        output.WriteLine("| model | calibration s off → default | calibration ratio | job s off → default | job ratio | corrections |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var study in studies)
        {
            var off = Job(study.Request(scratch) with { BiasCorrection = false });
            var on = Job(study.Request(scratch));
            var kept = on.Report.BiasCorrection is { } b
                ? b.OutputCheck is { } o ? string.Create(c, $"{(o.Kept ? "kept" : "not kept")} ({o.CorrectedSqnrDb:0.00} / {o.UncorrectedSqnrDb:0.00} dB)") : $"{b.Layers} layers, no check"
                : "not run";
            output.WriteLine(string.Create(c,
                $"| {study.Name} | {off.Calibration:0.00} → {on.Calibration:0.00} | {Ratio(on.Calibration, off.Calibration)} | " +
                $"{off.Wall:0.00} → {on.Wall:0.00} | {Ratio(on.Wall, off.Wall)} | {kept} |"));
        }
        output.WriteLine();
    }

    private static string Ratio(double on, double off) =>
        off > 0 ? string.Create(CultureInfo.InvariantCulture, $"{on / off:0.00}×") : "–";

    private static (double Calibration, double Wall, Amct.Engine.Formats.QuantReport Report) Job(QuantizeRequest request)
    {
        var log = new CollectingLog();
        var watch = Stopwatch.StartNew();
        var report = QuantizationJob.Run(request, log).Report;
        var wall = watch.Elapsed.TotalSeconds;
        foreach (var line in log.Messages.Where(m => m.StartsWith("bias correction", StringComparison.Ordinal)))
        {
            Console.Error.WriteLine($"{Path.GetFileName(request.ModelPath)}: {line}");
        }
        return (report.Timings.CalibrateSeconds, wall, report);
    }
}
