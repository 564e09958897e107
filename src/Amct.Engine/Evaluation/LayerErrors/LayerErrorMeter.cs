using System.Diagnostics;
using Amct.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Amct.Engine.Evaluation.LayerErrors;

/// <summary>
/// Runs the float and the int8 model on a few samples with every int8 layer's output exposed as an extra graph output,
/// and compares them layer by layer (SQNR over all values, cosine similarity per sample; <see cref="OutputComparison"/>).
/// The output error alone says how much accuracy is lost; this says where along the network it enters.
/// Exposing a tensor keeps ONNX Runtime from fusing its producer away, so the int8 side runs as the QDQ graph reads
/// (fake quantization), which equals the fused kernels up to rounding. One intra-op thread keeps the figures
/// reproducible.
/// </summary>
public static class LayerErrorMeter
{
    /// <param name="floatModel">The prepared float model (restored unchanged).</param>
    /// <param name="quantizedModel">The int8 model (restored unchanged).</param>
    /// <param name="pairs">The tensors to compare (<see cref="LayerOutputPairs.Find"/>).</param>
    /// <param name="batches">The samples, in batches the models accept.</param>
    /// <param name="maxSamples">Stop reading batches once this many samples ran.</param>
    /// <param name="budget">Stop reading batches once this much time went by (after the first batch).</param>
    /// <param name="source">The model file, for errors.</param>
    public static LayerErrorReport Measure(ModelProto floatModel, ModelProto quantizedModel, IReadOnlyList<LayerOutputPair> pairs,
        IEnumerable<InputBatch> batches, long maxSamples, TimeSpan budget, string source)
    {
        var watch = Stopwatch.StartNew();
        if (pairs.Count == 0)
        {
            return new LayerErrorReport(0, [], 0);
        }
        // The float model is opened first: when ONNX Runtime refuses it, the fault is the user's model, not ours.
        using var floatSession = OpenExposing(floatModel, pairs.Select(p => p.FloatTensor).ToList(), source, ModelOrigin.User);
        using var quantizedSession = OpenExposing(quantizedModel, pairs.Select(p => p.QuantizedTensor).ToList(), source, ModelOrigin.Quantized);
        var compared = pairs.Where(p => IsFloat(floatSession.Session, p.FloatTensor) && IsFloat(quantizedSession.Session, p.QuantizedTensor)).ToList();
        var comparisons = compared.Select(p => new OutputComparison(p.FloatTensor, isClassScores: false)).ToList();
        long samples = 0;
        using var runOptions = new RunOptions();
        foreach (var batch in batches)
        {
            var names = batch.Inputs.Keys.ToList();
            var values = names.Select(n => OrtTensors.ToOrtValue(batch.Inputs[n], n)).ToList();
            try
            {
                using var floatOutputs = floatSession.Session.Run(runOptions, names, values, compared.Select(p => p.FloatTensor).ToList());
                using var quantizedOutputs = quantizedSession.Session.Run(runOptions, names, values, compared.Select(p => p.QuantizedTensor).ToList());
                for (var i = 0; i < compared.Count; i++)
                {
                    comparisons[i].Add(floatOutputs[i].GetTensorDataAsSpan<float>(), quantizedOutputs[i].GetTensorDataAsSpan<float>(), batch.Count);
                }
            }
            catch (OnnxRuntimeException e)
            {
                throw new AmctException(ErrorCodes.CalibrationRunFailed, source,
                    $"ONNX Runtime could not run the models with their layer outputs exposed (per-layer error): {e.Message} " +
                    "Turn the per-layer error off (LayerErrors=false, --no-layer-errors).", e);
            }
            finally
            {
                values.ForEach(v => v.Dispose());
            }
            samples += batch.Count;
            if (samples >= maxSamples || watch.Elapsed >= budget)
            {
                break;
            }
        }
        var layers = compared.Select((p, i) => (Pair: p, Result: comparisons[i].Result()))
            .Where(x => x.Result.Samples > 0)
            .Select(x => new LayerError(x.Pair.Layer, x.Pair.OpType, x.Pair.FloatTensor, Math.Round(x.Result.SqnrDb, 3),
                Math.Round(x.Result.CosineMean, 6), Math.Round(x.Result.CosineWorst, 6), x.Result.MaxAbsError))
            .ToList();
        return new LayerErrorReport(samples, layers, Math.Round(watch.Elapsed.TotalSeconds, 3));
    }

    /// <summary>
    /// A session on <paramref name="model"/> with <paramref name="tensors"/> added as graph outputs; the model is
    /// restored before returning (ONNX Runtime holds its own copy from then on).
    /// </summary>
    private static ModelSession OpenExposing(ModelProto model, IReadOnlyList<string> tensors, string source, ModelOrigin origin)
    {
        var graph = model.Graph;
        var existing = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var added = tensors.Distinct(StringComparer.Ordinal).Where(t => !existing.Contains(t))
            .Select(t => new ValueInfoProto { Name = t }).ToList();
        graph.Output.AddRange(added);
        try
        {
            return ModelSession.OpenWithThreads(model, source, origin, intraOpThreads: 1);
        }
        finally
        {
            foreach (var output in added)
            {
                graph.Output.Remove(output);
            }
        }
    }

    private static bool IsFloat(InferenceSession session, string output) =>
        session.OutputMetadata.TryGetValue(output, out var metadata)
        && metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR && metadata.ElementDataType == TensorElementType.Float;
}
