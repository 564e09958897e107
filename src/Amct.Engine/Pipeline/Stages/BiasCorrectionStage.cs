using Amct.Engine.Evaluation;
using Amct.Engine.Formats;
using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.OutputError;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Empirical bias correction (BiasCorrection setting): once the weights are int8, each Conv/Gemm layer with a constant
/// bias gets that bias minus the mean shift quantization causes at its output, measured per output channel on the
/// calibration data in one extra ONNX Runtime pass (<see cref="LayerProbe"/>). The corrections are kept only when the
/// int8 model's outputs on the calibration data measure better with them than without (<see cref="BiasCorrectionCheck"/>):
/// a layer's mean shift, removed, always lowers that layer's own error, not always the model's. Trained factors (QAT import,
/// Retrain=AdaRound or Distill) are left as they are: there is nothing calibrated to correct. Retrain=Auto is
/// corrected: its post-training candidate must be the very model Retrain=None ships.
/// <para>
/// An AMCT record holds factors, not biases, and has no field a corrected bias could go in. So a record fed back with
/// the calibration data corrects the biases again, on the same data, to the same bytes; fed back without data it
/// cannot, and the job says so (an info line and the report's <c>biasCorrection.notRunBecause</c>, not a warning:
/// the setting is on by default, and a record-only build is a supported way to rebuild, which a warnings-as-errors
/// build must not fail) and builds the model without correction.
/// </para>
/// </summary>
internal sealed class BiasCorrectionStage() : JobStage("bias correction", StageTiming.Calibrate)
{
    public override void Run(JobContext context)
    {
        var request = context.Request;
        if (!request.BiasCorrection || !context.RefinesCalibratedWeights)
        {
            return;
        }
        if (request.CalibrationData is not { } dataPath)
        {
            if (request.RecordInput is { } record && context.Parameters().Count > 0)
            {
                var why = "an AMCT record holds factors, not biases, and no calibration data was given to measure the correction on: " +
                    "the biases stay as the float model has them (as with BiasCorrection=false). Give the calibration data " +
                    $"(--calibration-data, CalibrationData) with the record {Path.GetFileName(record)} to rebuild the corrected model.";
                context.BiasCorrection = new BiasCorrectionReport(0, 0, why);
                context.Log.Info("bias correction: not run: " + why);
            }
            return;
        }
        var index = new GraphIndex(context.Model.Graph);
        var parameters = context.Parameters();
        var layers = new List<(WeightedLayer Layer, float[] Bias)>();
        foreach (var layer in context.Plan.Layers)
        {
            var bias = layer.Bias is { } name && index.Constant(name) is { DataType: DataTypes.Float } tensor
                ? TensorData.ToArray<float>(tensor, context.ModelPath) : null;
            var channels = LayerProbe.OutputChannels(layer, index.Constant(layer.Weight)!);
            if (BiasCorrection.Applies(layer, bias, channels) && parameters.ContainsKey(layer.ActivationInput))
            {
                layers.Add((layer, bias!));
            }
        }
        if (layers.Count == 0)
        {
            return;
        }
        // The layers the output-aware ranges stage measured at these very input factors need no second measurement.
        var measured = layers.Select(l => context.MeasuredLayers.TryGetValue(l.Layer.Name, out var m) &&
            m.Input == parameters[l.Layer.ActivationInput] ? m.Error : null).ToList();
        var variants = layers.Where((_, i) => measured[i] is null)
            .Select(l => new LayerVariant(l.Layer, parameters[l.Layer.ActivationInput])).ToList();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        // The output check compares with the float model's outputs on the calibration data; the probe runs the float
        // model on that data anyway and keeps its outputs for the check.
        using var reference = new FloatReference(context.ModelPath);
        var fresh = new Queue<LayerOutputError>(variants.Count == 0 ? [] : CalibrationSamples.With(context, dataPath, batches =>
            LayerProbe.Measure(context.Model, variants, context.Weights, batches, Path.GetFullPath(dataPath), reference)));
        var errors = measured.Select(m => m ?? fresh.Dequeue()).ToList();
        var weights = new Dictionary<string, QuantizedWeights>(context.Weights, StringComparer.Ordinal);
        var largest = 0.0;
        for (var i = 0; i < layers.Count; i++)
        {
            var (layer, bias) = layers[i];
            var shift = errors[i].MeanShift();
            weights[layer.Name] = weights[layer.Name] with { CorrectedBias = BiasCorrection.Corrected(bias, shift) };
            largest = Math.Max(largest, shift.Max(Math.Abs));
        }
        var measuredIn = watch.Elapsed.TotalSeconds;
        watch.Restart();
        var check = BiasCorrectionCheck.Run(context, dataPath, weights, reference);
        var kept = check?.Kept ?? true;
        var checkLine = check is { } o
            ? FormattableString.Invariant($"; output SQNR on the calibration data {o.CorrectedSqnrDb:0.00} dB corrected, {o.UncorrectedSqnrDb:0.00} dB uncorrected, checked in {watch.Elapsed.TotalSeconds:0.0} s")
            : "";
        if (kept)
        {
            context.Weights = weights;
        }
        context.BiasCorrection = new BiasCorrectionReport(kept ? layers.Count : 0, kept ? Math.Round(largest, 6) : 0, null)
        {
            Measured = layers.Count,
            OutputCheck = check,
        };
        context.Log.Info(kept
            ? FormattableString.Invariant(
                $"bias correction: {layers.Count} layers' biases corrected by the mean output shift of their int8 form (largest {largest:G3}; {variants.Count} measured in {measuredIn:0.0} s){checkLine}")
            : FormattableString.Invariant(
                $"bias correction: not kept: correcting {layers.Count} layers' biases (largest shift {largest:G3}) did not make the int8 model's outputs better{checkLine}"));
    }
}
