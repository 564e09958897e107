using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Whether a bias correction helps the whole model: the int8 model's output SQNR on the calibration data with and
/// without it (<see cref="CalibrationOutputSqnr"/>). Each layer's shift is
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
        // Strictly better: on a tie the uncorrected model, which does not depend on the calibration data's mean, ships.
        return CalibrationOutputSqnr.Measure(context, dataPath, reference, context.Weights, corrected) is [var without, var with]
            ? new BiasCorrectionOutputCheck(Math.Round(with, 3), Math.Round(without, 3), with > without)
            : null;
    }
}
