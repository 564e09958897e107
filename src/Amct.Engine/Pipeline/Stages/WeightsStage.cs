using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>Quantizes the planned layers' weights (and biases) to int8.</summary>
internal sealed class WeightsStage : IJobStage
{
    public string Name => "weights";
    public StageTiming Timing => StageTiming.Quantize;

    public void Run(JobContext context) =>
        context.Weights = LayerWeights.Quantize(context.Model.Graph, context.Plan, context.ModelPath, context.Request.WeightBits);
}
