using Amct.Engine.ControlFlow;
using Amct.Engine.Data;
using Amct.Engine.Onnx;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Quantizes the weighted layers inside If branches, each calibrated on the values that reach it. Runs only when the
/// activations were calibrated (a record holds no factors for branch tensors) and some branch holds a weighted layer.
/// </summary>
internal sealed class SubgraphStage() : JobStage("subgraphs", StageTiming.Quantize)
{
    public override void Run(JobContext context)
    {
        var (request, settings) = (context.Request, context.Settings);
        if (context.NothingToQuantize || request.RecordInput is not null || context.Import is not null || request.CalibrationData is not { } dataPath
            || !SubgraphQuantization.HoldsWeightedLayers(context.Model.Graph))
        {
            return;
        }
        var options = new SubgraphOptions(settings.PlanOptions, settings.MethodFor, settings.Activation,
            settings.NeedsHistograms, request.WeightBits, request.SignedActivationStorage, request.WeightRangeSearch);
        context.Subgraphs = SubgraphQuantization.Apply(context.Model, context.Quantized, options,
            ReadBatches(context, dataPath), context.ModelPath);
    }

    /// <summary>The calibration samples in batches, read again (for the values that reach the branches).</summary>
    private static IEnumerable<IReadOnlyDictionary<string, TensorProto>> ReadBatches(JobContext context, string dataPath)
    {
        using var source = SampleSources.Open(dataPath, context.Inputs, context.DataOptions);
        var wanted = context.Settings.SamplesFor(context.BatchSize) ?? source.Count;
        foreach (var batch in SampleBatches.Read(source, context.Inputs, context.BatchSize, wanted))
        {
            yield return batch.Inputs;
        }
    }
}
