using System.Diagnostics;
using Amct.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Calibration;

/// <summary>What calibration observed, per tensor, and what it cost.</summary>
public sealed record CalibrationResult(IReadOnlyDictionary<string, TensorObservation> Observations, long Samples, TimeSpan Elapsed);

/// <summary>
/// Runs the float model in ONNX Runtime over the calibration batches with every tensor to observe added as a graph
/// output, and streams each output into its <see cref="TensorObservation"/> (min/max, and a histogram when the range
/// method needs one). One session, one pass over the data; memory is O(bins) per tensor whatever the sample count.
/// </summary>
public static class Calibrator
{
    public static CalibrationResult Run(
        ModelProto floatModel,
        IReadOnlyList<string> tensors,
        bool keepHistograms,
        IEnumerable<IReadOnlyDictionary<string, TensorProto>> batches,
        string source,
        Action<long>? progress = null)
    {
        var stopwatch = Stopwatch.StartNew();
        var observations = tensors.ToDictionary(t => t, t => new TensorObservation(t, keepHistograms), StringComparer.Ordinal);
        var samples = ForEachBatch(floatModel, tensors, batches, source, (i, output, first) =>
        {
            var observation = observations[tensors[i]];
            observation.Add(output.GetTensorDataAsSpan<float>());
            if (!double.IsFinite(observation.Min) || !double.IsFinite(observation.Max))
            {
                throw new AmctException(ErrorCodes.ActivationNotFinite, source,
                    $"the model produced NaN or Inf in tensor '{tensors[i]}' on samples {first.First}..{first.Last}. " +
                    "Check that the calibration data is preprocessed as the model expects.");
            }
        }, progress);
        CheckObserved(observations.Values, samples, source);
        return new CalibrationResult(observations, samples, stopwatch.Elapsed);
    }

    /// <summary>
    /// Runs the float model over the batches with <paramref name="tensors"/> as extra outputs and hands each output to
    /// <paramref name="observe"/> (tensor index, value, the batch's sample range), tensors in parallel. Returns the
    /// samples run. Also the pass per-channel statistics (<see cref="ChannelMaxima"/>) use.
    /// </summary>
    internal static long ForEachBatch(
        ModelProto floatModel,
        IReadOnlyList<string> tensors,
        IEnumerable<IReadOnlyDictionary<string, TensorProto>> batches,
        string source,
        Action<int, OrtValue, (long First, long Last)> observe,
        Action<long>? progress = null)
    {
        using var modelSession = ModelSession.Open(WithOutputs(floatModel, tensors), source, ModelOrigin.User);
        var session = modelSession.Session;
        using var runOptions = new RunOptions();
        long samples = 0;
        foreach (var batch in batches)
        {
            var names = batch.Keys.ToList();
            var values = names.Select(n => OrtTensors.ToOrtValue(batch[n], n)).ToList();
            try
            {
                using var outputs = RunBatch(session, runOptions, names, values, tensors, source);
                // A whole-run sample (no batch axis, e.g. a scalar input first) counts as one.
                var sampleCount = batch.Values.First().Dims is [var first, ..] ? first : 1;
                Parallel.For(0, tensors.Count, i => observe(i, outputs[i], (samples, samples + sampleCount - 1)));
                samples += sampleCount;
                progress?.Invoke(samples);
            }
            catch (AggregateException e) when (e.InnerException is AmctException amct)
            {
                throw amct;
            }
            finally
            {
                values.ForEach(v => v.Dispose());
            }
        }
        return samples;
    }

    /// <summary>Every observed tensor needs values to have a range: no batch at all, or an empty tensor, has none.</summary>
    private static void CheckObserved(IEnumerable<TensorObservation> observations, long samples, string source)
    {
        if (samples == 0)
        {
            throw new AmctException(ErrorCodes.DataEmpty, source,
                "calibration ran on no samples: the data holds fewer samples than the model's fixed batch size, or " +
                "none. Give at least one full batch of samples.");
        }
        if (observations.FirstOrDefault(o => o.Count == 0) is { } empty)
        {
            throw new AmctException(ErrorCodes.CalibrationRunFailed, source,
                $"tensor '{empty.Tensor}' held no values on any calibration sample (a dimension of size 0), so it has " +
                "no range to quantize. Skip the layer that reads it (--skip-layers) or fix the model's shapes.");
        }
    }

    private static IDisposableReadOnlyCollection<OrtValue> RunBatch(InferenceSession session, RunOptions runOptions,
        List<string> names, List<OrtValue> values, IReadOnlyList<string> outputs, string source)
    {
        try
        {
            return session.Run(runOptions, names, values, outputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw new AmctException(ErrorCodes.CalibrationRunFailed, source,
                $"ONNX Runtime could not run the model on the calibration data: {e.Message}", e);
        }
    }

    /// <summary>A copy of the model whose graph also outputs the observed tensors (declared float32, shape left open).</summary>
    internal static ModelProto WithOutputs(ModelProto model, IReadOnlyList<string> tensors)
    {
        var copy = model.Clone();
        var existing = copy.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in tensors.Where(t => !existing.Contains(t)))
        {
            copy.Graph.Output.Add(new ValueInfoProto
            {
                Name = tensor,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = DataTypes.Float } },
            });
        }
        return copy;
    }
}
