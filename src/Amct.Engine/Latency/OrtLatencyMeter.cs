using System.Diagnostics;
using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Latency;

/// <summary>
/// Times both models in ONNX Runtime with full graph optimizations, as users run them: one warm-up run each, then
/// rounds in which each model runs once, in alternating order so drift and noise hit both alike, for as many rounds as
/// <see cref="LatencyBudget"/> allows. The int8 session also writes its optimized graph, whose op counts are reported.
/// </summary>
internal sealed class OrtLatencyMeter(LatencyBudget budget) : ILatencyMeter
{
    // ONNX Runtime writes the optimized graph as one protobuf message: only models well under 2 GB are counted.
    private const long MaxCountedModelBytes = 1L << 30;

    public static OrtLatencyMeter Default { get; } = new(LatencyBudget.Default);

    public LatencyReport Measure(ModelProto floatModel, ModelProto quantized, InputBatch batch, int threads, string source)
    {
        var folder = Path.Combine(Path.GetTempPath(), "amct-latency-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(folder);
            var optimized = quantized.CalculateSize() < MaxCountedModelBytes ? Path.Combine(folder, "optimized.onnx") : null;
            using var floatSession = ModelSession.OpenForTiming(floatModel, source, ModelOrigin.User, threads, null);
            using var int8Session = ModelSession.OpenForTiming(quantized, source, ModelOrigin.Quantized, threads, optimized);
            var ops = optimized is not null && File.Exists(optimized) ? FusedOps.Read(optimized) : null;
            var rounds = Time(floatSession.Session, int8Session.Session, batch);
            return new LatencyReport(
                Math.Round(LatencyStatistics.Median(rounds.Select(r => r.FloatMs)), 3),
                Math.Round(LatencyStatistics.Median(rounds.Select(r => r.Int8Ms)), 3),
                Math.Round(LatencyStatistics.MedianRatio(rounds), 3),
                rounds.Count, threads, batch.Count, ops);
        }
        finally
        {
            ModelSession.DeleteFolder(folder);
        }
    }

    private List<LatencyRound> Time(InferenceSession floatSession, InferenceSession int8Session, InputBatch batch)
    {
        var names = batch.Inputs.Keys.ToList();
        var values = names.Select(n => OrtTensors.ToOrtValue(batch.Inputs[n], n)).ToList();
        try
        {
            using var runOptions = new RunOptions();
            RunOnce(floatSession, runOptions, names, values);
            RunOnce(int8Session, runOptions, names, values);
            var rounds = new List<LatencyRound>();
            var clock = Stopwatch.StartNew();
            while (budget.Continue(rounds.Count, clock.Elapsed.TotalMilliseconds))
            {
                var int8First = rounds.Count % 2 == 1;
                var first = RunOnce(int8First ? int8Session : floatSession, runOptions, names, values);
                var second = RunOnce(int8First ? floatSession : int8Session, runOptions, names, values);
                rounds.Add(int8First ? new LatencyRound(second, first) : new LatencyRound(first, second));
            }
            return rounds;
        }
        finally
        {
            values.ForEach(v => v.Dispose());
        }
    }

    /// <summary>Runs the session once on the batch; its time in milliseconds.</summary>
    private static double RunOnce(InferenceSession session, RunOptions runOptions, IReadOnlyList<string> names,
        IReadOnlyList<OrtValue> values)
    {
        var start = Stopwatch.GetTimestamp();
        using var outputs = session.Run(runOptions, names, values, session.OutputNames);
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
}
