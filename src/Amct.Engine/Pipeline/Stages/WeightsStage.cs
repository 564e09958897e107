using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Import;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Quantizes the planned layers' weights (and biases) to int8: an imported QAT model keeps its trained ones; a record's
/// weight scales are applied as given (per tensor or per channel, as many as it gives); otherwise they come from the
/// weights themselves.
/// </summary>
internal sealed class WeightsStage() : JobStage("weights", StageTiming.Quantize)
{
    public override void Run(JobContext context)
    {
        if (context.Import is { } import)
        {
            context.Weights = TrainedFactors.Weights(context.Model.Graph, context.Plan, import, context.ModelPath, context.ImportChanges);
            return;
        }
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
