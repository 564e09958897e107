using System.Diagnostics;
using System.Globalization;
using Amct.Engine.Data;
using Amct.Engine.Pipeline;
using Amct.Engine.Retraining;
using Amct.Qat.Training;

/// <summary>
/// One retraining mode on one model, in its own process so its peak memory is its own:
/// <c>modes MODE BITS MODEL TRAINING EVALUATION [LABELS [PRESET [TRAINING_LABELS]]]</c> — calibrates and retrains on
/// TRAINING (with TRAINING_LABELS as TrainingLabels when given; an empty LABELS or PRESET is none), evaluates on
/// EVALUATION, and prints one table row: agreement with the float model, top-1 (float → int8), mean cosine, the
/// retraining's seconds, the whole job's seconds, and the process's peak resident memory.
/// </summary>
internal static class ModeRun
{
    public static void Run(string[] args)
    {
        var mode = Enum.Parse<RetrainMode>(args[0], ignoreCase: true);
        var bits = int.Parse(args[1], CultureInfo.InvariantCulture);
        var (model, training, evaluation) = (args[2], args[3], args[4]);
        var labels = args.Length > 5 && args[5].Length > 0 ? args[5] : null;
        var preset = args.Length > 6 && args[6].Length > 0 ? args[6] : null;
        var trainingLabels = args.Length > 7 ? args[7] : null;
        var output = Directory.CreateTempSubdirectory("amct-qat-modes").FullName;
        try
        {
            var log = new CollectingLog();
            var watch = Stopwatch.StartNew();
            QuantizeResult result;
            try
            {
                result = QuantizationJob.Run(new QuantizeRequest
                {
                    ModelPath = model,
                    CalibrationData = training,
                    EvaluationData = evaluation,
                    EvaluationLabels = labels,
                    TrainingLabels = trainingLabels,
                    OutputDirectory = output,
                    MeasureLatency = false,
                    QualityFloor = false, // the bench measures, it does not gate: the cosine column shows what the floor (0.9) would say
                    WeightBits = bits,
                    Retrain = mode,
                    DataOptions = preset is null ? null : new SampleSourceOptions { Preset = preset },
                }, log, new QatRetrainer());
            }
            finally
            {
                foreach (var line in log.Messages.Where(m => m.StartsWith("Retrain", StringComparison.Ordinal) || m.StartsWith("retrained", StringComparison.Ordinal)))
                {
                    Console.Error.WriteLine(line);
                }
            }
            var seconds = watch.Elapsed.TotalSeconds;
            var e = result.Report.Evaluation!;
            var o = e.Outputs[0];
            var top1 = e.QuantizedAccuracy is { } q ? string.Create(CultureInfo.InvariantCulture, $"{e.FloatAccuracy!.Top1:P2} → {q.Top1:P2}") : "—";
            var retrain = log.Messages.FirstOrDefault(m => m.StartsWith("retrained", StringComparison.Ordinal)) is { } trained
                ? trained.Split(" in ")[1].Split(',')[0] : "—";
            using var self = Process.GetCurrentProcess();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {Path.GetFileName(model)} W{bits}A8 | {mode}{(trainingLabels is null ? "" : " + labels")} | {o.Top1Agreement:P2} | {top1} | {o.CosineMean:0.0000} | {retrain} | {seconds:0.0} s | {self.PeakWorkingSet64 / (1 << 20)} MB |"));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
