using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.OutputError;
using Amct.Engine.Retraining;

namespace Amct.Engine.Pipeline.Stages;

/// <summary>
/// Empirical bias correction (BiasCorrection setting): once the weights are int8, each Conv/Gemm layer with a constant
/// bias gets that bias minus the mean shift quantization causes at its output, measured per output channel on the
/// calibration data in one extra ONNX Runtime pass (<see cref="LayerProbe"/>). Trained factors (QAT import,
/// retraining) and record-only jobs are left as they are: there is nothing calibrated to correct, or no data.
/// </summary>
internal sealed class BiasCorrectionStage() : JobStage("bias correction", StageTiming.Calibrate)
{
    public override void Run(JobContext context)
    {
        var request = context.Request;
        if (!request.BiasCorrection || context.NothingToQuantize || context.Import is not null ||
            request.Retrain != RetrainMode.None || request.CalibrationData is not { } dataPath)
        {
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
        var fresh = new Queue<LayerOutputError>(variants.Count == 0 ? [] : CalibrationSamples.With(context, dataPath, batches =>
            LayerProbe.Measure(context.Model, variants, context.Weights, batches, Path.GetFullPath(dataPath))));
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
        context.Weights = weights;
        context.Log.Info(FormattableString.Invariant(
            $"bias correction: {layers.Count} layers' biases corrected by the mean output shift of their int8 form (largest {largest:G3}; {variants.Count} measured in {watch.Elapsed.TotalSeconds:0.0} s)"));
    }
}
