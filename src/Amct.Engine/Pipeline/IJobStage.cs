namespace Amct.Engine.Pipeline;

/// <summary>
/// One named step of a quantization job. A stage reads what earlier stages left in the <see cref="JobContext"/> and
/// adds its own results; it knows no other stage. A new step (bias correction, AdaRound, a latency check, importing
/// QAT factors) is a new class inserted into <see cref="QuantizationJob.Stages"/>.
/// </summary>
internal interface IJobStage
{
    /// <summary>The stage's name in timings, e.g. "factors".</summary>
    string Name { get; }

    /// <summary>Which of the report's timings the stage's time counts toward.</summary>
    StageTiming Timing { get; }

    void Run(JobContext context);
}

/// <summary>A stage with its name and timing given once, in its declaration.</summary>
internal abstract class JobStage(string name, StageTiming timing) : IJobStage
{
    public string Name => name;
    public StageTiming Timing => timing;

    public abstract void Run(JobContext context);
}

/// <summary>The report's timing fields (<see cref="Formats.Timings"/>); a stage's time is added to one of them.</summary>
internal enum StageTiming
{
    Load,
    Prepare,
    Calibrate,
    Quantize,
    Evaluate,
    Fallback,
    Write,

    /// <summary>Not in the report's figures: the stage that writes the report itself.</summary>
    None,
}
