using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Import;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>Quantizes the planned layers' weights (and biases) to int8; an imported QAT model keeps its trained ones.</summary>
internal sealed class WeightsStage() : JobStage("weights", StageTiming.Quantize)
{
    public override void Run(JobContext context) =>
        context.Weights = context.Import is { } import
            ? TrainedFactors.Weights(context.Model.Graph, context.Plan, import, context.ModelPath, context.ImportChanges)
            : LayerWeights.Quantize(context.Model.Graph, context.Plan, context.ModelPath, context.Request.WeightBits);
}
