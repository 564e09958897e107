using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>Quantizes the planned layers' weights (and biases) to int8.</summary>
internal sealed class WeightsStage() : JobStage("weights", StageTiming.Quantize)
{
    public override void Run(JobContext context) =>
        context.Weights = LayerWeights.Quantize(context.Model.Graph, context.Plan, context.ModelPath,
            context.Request.WeightBits, context.Request.WeightRangeSearch);
}
