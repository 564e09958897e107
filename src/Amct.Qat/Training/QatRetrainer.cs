using Amct.Engine.Retraining;

namespace Amct.Qat.Training;

/// <summary>The worker's retrainer: each retraining mode served by its own trainer (Auto is the engine's choice among them).</summary>
public sealed class QatRetrainer : IRetrainer
{
    public RetrainResult Retrain(RetrainInput input) => input.Options.Mode switch
    {
        RetrainMode.AdaRound => new AdaRoundRetrainer().Retrain(input),
        RetrainMode.Distill => new DistillRetrainer().Retrain(input),
        _ => throw new ArgumentOutOfRangeException(nameof(input), input.Options.Mode, "the engine hands over one concrete mode"),
    };
}
