using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Builds the QDQ model from the plan, the factors and the int8 weights. The stages before it are the last to pass over
/// the calibration batches, so their decoded copy is let go here, before evaluation and the fallback open sessions of
/// their own.
/// </summary>
internal sealed class BuildQdqStage() : JobStage("build QDQ", StageTiming.Quantize)
{
    public override void Run(JobContext context)
    {
        context.CalibrationBatches.Release();
        // With nothing to quantize the user's model is written as it was, not the prepared copy.
        context.Quantized = context.NothingToQuantize
            ? context.Original
            : QdqModelBuilder.Build(context.Model, context.Plan, context.Parameters(), context.Weights, context.ModelPath,
                context.Request.SignedActivationStorage);
    }
}
