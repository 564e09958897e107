using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;

namespace Amct.Engine.Tests.Data;

/// <summary>
/// A stage to insert after the plan stage: the job's carried recurrent state is then read through a stepper that
/// counts the float model's runs, and a cache of the given budget (0: every pass recomputes the states).
/// </summary>
internal sealed class CountStateSteps(long budgetBytes = CarriedStateCache.DefaultBudgetBytes) : IJobStage
{
    private CountingStepper? _stepper;

    public string Name => "count state steps";

    public StageTiming Timing => StageTiming.None;

    /// <summary>How many times the job stepped the float model for the carried state.</summary>
    public int Runs => _stepper?.Runs ?? throw new InvalidOperationException("the job carried no recurrent state");

    /// <summary>The job's stages with this one after the plan stage.</summary>
    public List<IJobStage> In(List<IJobStage> stages)
    {
        stages.Insert(stages.FindIndex(s => s.Name == "plan") + 1, this);
        return stages;
    }

    public void Run(JobContext context)
    {
        if (context.DataOptions.CarriedState is { } states)
        {
            _stepper = new CountingStepper(states.Stepper);
            context.DataOptions = context.DataOptions with { CarriedState = new CarriedStateCache(_stepper, budgetBytes) };
        }
    }
}

/// <summary>A stepper that counts the float model's runs.</summary>
internal sealed class CountingStepper(IStateStepper inner) : IStateStepper
{
    public int Runs { get; private set; }

    public IReadOnlyList<StatePair> States => inner.States;

    public IReadOnlyDictionary<string, TensorProto> StateAfter(IReadOnlyDictionary<string, TensorProto> feed)
    {
        Runs++;
        return inner.StateAfter(feed);
    }
}
