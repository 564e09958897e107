using System.Diagnostics;
using Amct.Engine.Formats;

namespace Amct.Engine.Pipeline;

/// <summary>Runs stages in order and times each one, so no stage measures itself.</summary>
internal sealed class StageRunner(IReadOnlyList<IJobStage> stages)
{
    public void Run(JobContext context)
    {
        foreach (var stage in stages)
        {
            var watch = Stopwatch.StartNew();
            stage.Run(context);
            context.Timings.Add(stage, watch.Elapsed.TotalSeconds);
        }
    }
}

/// <summary>The time of every stage run so far, and the report's figures made from them.</summary>
internal sealed class JobTimings
{
    private readonly Stopwatch _total = Stopwatch.StartNew();
    private readonly List<(string Stage, StageTiming Timing, double Seconds)> _stages = [];

    public IReadOnlyList<(string Stage, StageTiming Timing, double Seconds)> Stages => _stages;

    public void Add(IJobStage stage, double seconds) => _stages.Add((stage.Name, stage.Timing, seconds));

    /// <summary>The report's timings: every stage so far, the total up to now.</summary>
    public Timings ToReport() => new(
        Sum(StageTiming.Load), Sum(StageTiming.Prepare), Sum(StageTiming.Calibrate), Sum(StageTiming.Quantize),
        Sum(StageTiming.Write), Sum(StageTiming.Evaluate), Sum(StageTiming.Fallback), Math.Round(_total.Elapsed.TotalSeconds, 3));

    private double Sum(StageTiming timing) =>
        Math.Round(_stages.Where(s => s.Timing == timing).Sum(s => s.Seconds), 3);
}
