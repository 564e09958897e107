using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Prepares the graph for quantizing: node names, opset 13 (or the model's own opset, per-tensor weights, when the
/// upgrade is impossible or not wanted), Conv+BatchNormalization folding, Gemm scales. A record's
/// <c>skip_fusion: true</c> keeps its convolution unfolded, as AMCT made it (its scale_w belong to the unfolded weights).
/// </summary>
internal sealed class PrepareStage() : JobStage("prepare", StageTiming.Prepare)
{
    public override void Run(JobContext context)
    {
        context.Preparation = GraphPreparation.Prepare(context.Model, new GraphPreparationOptions
        {
            FoldBatchNormalization = context.Settings.DoFusion,
            SkipFusionLayers = SkipFusionLayers(context),
            Opset = context.Settings.Opset,
        }, context.ModelPath);
        if (context.Preparation.Opset is { Kept: { } kept, KeptBecause: { } why })
        {
            context.Settings.PerChannelAllowed = false;
            context.Log.Warning(ErrorCodes.OpsetKept, context.ModelPath,
                $"the model keeps its ai.onnx opset {kept} ({why}); QuantizeLinear/DequantizeLinear take no axis before " +
                "opset 13, so every weight is quantized per tensor.");
        }
        // ONNX Runtime's verdict on the user's model before planning: a model it refuses is the user's error (AMCT2013).
        ModelSession.Check(context.ModelPath);
        context.GemmScalesFolded = GemmScaling.Fold(context.Model.Graph, context.ModelPath);
    }

    private static IReadOnlySet<string> SkipFusionLayers(JobContext context)
    {
        if (context.Record is not { } record)
        {
            return context.Settings.SkipFusionLayers;
        }
        var convolutions = context.Model.Graph.Node.Where(n => n.OpType is "Conv" or "ConvTranspose").Select(n => n.Name)
            .ToHashSet(StringComparer.Ordinal);
        var skip = new HashSet<string>(context.Settings.SkipFusionLayers, StringComparer.Ordinal);
        skip.UnionWith(record.Where(r => r.SkipFusion == true && convolutions.Contains(r.Key)).Select(r => r.Key));
        return skip;
    }
}
