using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Whether a bias correction helps the whole model: the int8 model with and without it, run by ONNX Runtime (fused
/// kernels, as it ships) on the calibration data and compared with the float model's outputs. Each layer's shift is
/// measured on the float model's own input to that layer, and removing it always lowers that layer's error on
/// average; but the model's outputs weigh samples and layers unequally. On openWakeWord's hey_jarvis (three Gemm
/// layers, a Sigmoid output near 0, where the samples with the largest output weigh most) every layer's correction
/// lowered that layer's error on held-out data too, yet the output's SQNR fell from 37.0 to 35.8 dB on the calibration
/// data and from 27.2 to 23.9 dB on other audio. So the correction is kept only where the outputs measure better.
/// </summary>
internal static class BiasCorrectionCheck
{
    /// <summary>
    /// The mean output SQNR (dB, over the float outputs) of the int8 model with <paramref name="corrected"/> weights and
    /// with the job's uncorrected ones; null when the model has no float output to compare. <paramref name="reference"/>:
    /// the float model on the calibration batches, its outputs kept by the layer probe where it ran, else computed
    /// here once for both models.
    /// </summary>
    public static BiasCorrectionOutputCheck? Run(JobContext context, string dataPath,
        IReadOnlyDictionary<string, QuantizedWeights> corrected, FloatReference reference)
    {
        if (reference.Outputs.Count == 0)
        {
            return null;
        }
        var parameters = context.Parameters();
        double Sqnr(IReadOnlyDictionary<string, QuantizedWeights> weights)
        {
            var model = QdqModelBuilder.Build(context.Model, context.Plan, parameters, weights, context.ModelPath,
                context.Request.SignedActivationStorage);
            var result = CalibrationSamples.WithCounts(context, dataPath, batches => ModelEvaluator.Compare(reference, model,
                batches.Select(b => new InputBatch(b.Inputs, b.Count)), null, context.ModelPath));
            return result.Outputs.Average(o => o.SqnrDb);
        }
        var without = Sqnr(context.Weights);
        var with = Sqnr(corrected);
        // Strictly better: on a tie the uncorrected model, which does not depend on the calibration data's mean, ships.
        return new BiasCorrectionOutputCheck(Math.Round(with, 3), Math.Round(without, 3), with > without);
    }
}
