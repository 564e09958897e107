using System.Diagnostics;
using System.Globalization;
using Amct.Engine.Pipeline;

namespace Amct.Bench;

/// <summary>
/// What bias correction (on by default) costs: each model quantized with every setting at its default and with
/// BiasCorrection=false, interleaved over <see cref="Rounds"/> rounds in one run, after an untimed warm-up of both (so
/// neither pays for loading ONNX Runtime or the JIT); the figures are medians. The ratios (default ÷ off) are of the
/// calibration stage's seconds (bias correction is timed in it) and of the whole job's wall time,
/// <see cref="QuantizationJob.Run(QuantizeRequest, Amct.Engine.IJobLog)"/> from start to published outputs. Medians of
/// interleaved rounds, because other work on a shared machine moves a single pair of runs by a factor of two.
/// </summary>
internal static class BiasCorrectionCost
{
    private const int Rounds = 3;

    public static void Run(IReadOnlyList<DefaultsStudy.Case> studies, string scratch, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        if (studies.Count > 0)
        {
            Job(studies[0].Request(scratch) with { BiasCorrection = false });
            Job(studies[0].Request(scratch));
        }
        output.WriteLine($"### Bias correction's cost: default ÷ BiasCorrection=false, medians of {Rounds} interleaved rounds");
        output.WriteLine();
        output.WriteLine("| model | calibration s off → default | calibration ratio | job s off → default | job ratio | corrections |");
        output.WriteLine("|---|---|---|---|---|---|");
        foreach (var study in studies)
        {
            var (off, on) = (new List<(double Calibration, double Wall)>(), new List<(double Calibration, double Wall)>());
            Amct.Engine.Formats.QuantReport? report = null;
            for (var round = 0; round < Rounds; round++)
            {
                var plain = Job(study.Request(scratch) with { BiasCorrection = false });
                off.Add((plain.Calibration, plain.Wall));
                var corrected = Job(study.Request(scratch));
                on.Add((corrected.Calibration, corrected.Wall));
                report = corrected.Report;
            }
            var kept = report!.BiasCorrection is { } b
                ? b.OutputCheck is { } o ? string.Create(c, $"{(o.Kept ? "kept" : "not kept")} ({o.CorrectedSqnrDb:0.00} / {o.UncorrectedSqnrDb:0.00} dB)") : $"{b.Layers} layers, no check"
                : "not run";
            var (offCalibration, onCalibration) = (CalibrationCost.Median(off.ConvertAll(r => r.Calibration)), CalibrationCost.Median(on.ConvertAll(r => r.Calibration)));
            var (offWall, onWall) = (CalibrationCost.Median(off.ConvertAll(r => r.Wall)), CalibrationCost.Median(on.ConvertAll(r => r.Wall)));
            output.WriteLine(string.Create(c,
                $"| {study.Name} | {offCalibration:0.00} → {onCalibration:0.00} | {Ratio(onCalibration, offCalibration)} | " +
                $"{offWall:0.00} → {onWall:0.00} | {Ratio(onWall, offWall)} | {kept} |"));
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
