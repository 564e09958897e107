using Amct.Engine.Evaluation;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// The int8 model's mean output SQNR (dB, over the float outputs) on the calibration data, for several sets of int8
/// weights on the job's activation factors: each model run by ONNX Runtime (fused kernels, as it ships) and compared with
/// the float model, whose outputs are computed once for all of them. The stages that keep a change only when the whole
/// model measures better (bias correction, weight rounding) decide by it.
/// </summary>
internal static class CalibrationOutputSqnr
{
    /// <summary>One SQNR per weight set, in order; null when the model has no float output to compare.</summary>
    /// <param name="context">The job.</param>
    /// <param name="dataPath">The calibration data.</param>
    /// <param name="known">The float model's outputs on the calibration batches where a pass before kept them (the
    /// layer probe's), else null: they are computed here, once for every weight set.</param>
    /// <param name="weightSets">The int8 weights to compare.</param>
    public static double[]? Measure(JobContext context, string dataPath, FloatReference? known,
        params IReadOnlyDictionary<string, QuantizedWeights>[] weightSets)
    {
        using var computed = known is null ? new FloatReference(context.ModelPath) : null;
        var reference = known ?? computed!;
        if (reference.Outputs.Count == 0)
        {
            return null;
        }
        var parameters = context.Parameters();
        return weightSets.Select(weights =>
        {
            var model = QdqModelBuilder.Build(context.Model, context.Plan, parameters, weights, context.ModelPath,
                context.Request.SignedActivationStorage);
            var result = CalibrationSamples.WithCounts(context, dataPath, batches => ModelEvaluator.Compare(reference, model,
                batches.Select(b => new InputBatch(b.Inputs, b.Count)), null, context.ModelPath));
            return result.Outputs.Average(o => o.SqnrDb);
        }).ToArray();
    }
}
