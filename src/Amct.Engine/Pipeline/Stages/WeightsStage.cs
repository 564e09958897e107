using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Quantizes the planned layers' weights (and biases) to int8: with the weight scales a record gives (per tensor or per
/// channel, as many as it gives), otherwise from the weights themselves.
/// </summary>
internal sealed class WeightsStage() : JobStage("weights", StageTiming.Quantize)
{
    public override void Run(JobContext context)
    {
        GivenWeightScales? given = null;
        if (context.Record is { } record && context.Request.RecordInput is { } recordPath)
        {
            var layers = context.Plan.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
            given = new GivenWeightScales(
                record.Where(r => r.ScaleW.Count > 0 && layers.Contains(r.Key)).ToDictionary(r => r.Key, r => r.ScaleW.ToArray(), StringComparer.Ordinal),
                Path.GetFullPath(recordPath));
        }
        context.Weights = LayerWeights.Quantize(context.Model.Graph, context.Plan, context.ModelPath, context.Request.WeightBits,
            context.Request.WeightRangeSearch, given);
    }
}
