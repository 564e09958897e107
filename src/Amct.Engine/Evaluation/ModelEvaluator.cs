using System.Diagnostics;
using Amct.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Evaluation;

/// <summary>The comparison of a quantized model with its float original on one data set.</summary>
public sealed record EvaluationResult(
    long Samples,
    IReadOnlyList<OutputAgreement> Outputs,
    string? LabeledOutput,
    Accuracy? FloatAccuracy,
    Accuracy? QuantizedAccuracy,
    TimeSpan FloatTime,
    TimeSpan QuantizedTime);

/// <summary>A batch of model inputs (each tensor's first dimension is <see cref="Count"/>).</summary>
public sealed record InputBatch(IReadOnlyDictionary<string, TensorProto> Inputs, int Count);

/// <summary>
/// Runs the float and the quantized model side by side in ONNX Runtime, with full graph optimizations so the quantized
/// model runs the fused int8 kernels users get, and compares every float output. With labels, the first output that
/// holds one row of class scores per sample is scored for top-1/top-5 accuracy of both models.
/// </summary>
public static class ModelEvaluator
{
    /// <summary>Compares two model files.</summary>
    public static EvaluationResult Compare(string floatModelPath, string quantizedModelPath, IEnumerable<InputBatch> batches,
        IReadOnlyList<long>? labels)
    {
        using var reference = new FloatReference(floatModelPath, 0);
        // Both files are the user's here (amct evaluate compares any two models).
        var outputs = reference.Outputs;
        using var quantizedSession = ModelSession.Open(quantizedModelPath, ModelOrigin.User);
        return Compare(reference, outputs, quantizedSession.Session, batches, labels, quantizedModelPath);
    }

    /// <summary>
    /// Compares a quantized model held in memory with the float reference (whose outputs it may have kept from an
    /// earlier comparison on the same batches).
    /// </summary>
    public static EvaluationResult Compare(FloatReference reference, ModelProto quantizedModel, IEnumerable<InputBatch> batches,
        IReadOnlyList<long>? labels, string source)
    {
        // The float model is loaded first: when ONNX Runtime refuses it, the fault is the user's model, not ours.
        var outputs = reference.Outputs;
        using var quantizedSession = ModelSession.Open(quantizedModel, source, ModelOrigin.Quantized);
        return Compare(reference, outputs, quantizedSession.Session, batches, labels, source);
    }

    private static EvaluationResult Compare(FloatReference reference, IReadOnlyList<string> outputs,
        InferenceSession quantizedSession, IEnumerable<InputBatch> batches, IReadOnlyList<long>? labels, string source)
    {
        using var runOptions = new RunOptions();
        var comparisons = new Dictionary<string, OutputComparison>(StringComparer.Ordinal);
        string? labeledOutput = null;
        var floatAccuracy = new TopKAccuracy(source);
        var quantizedAccuracy = new TopKAccuracy(source);
        var floatTime = TimeSpan.Zero;
        var quantizedTime = TimeSpan.Zero;
        long samples = 0;
        var batchIndex = 0;

        foreach (var batch in batches)
        {
            var names = batch.Inputs.Keys.ToList();
            var values = names.Select(n => OrtTensors.ToOrtValue(batch.Inputs[n], n)).ToList();
            try
            {
                var watch = Stopwatch.StartNew();
                var floatOutputs = reference.Run(batchIndex++, names, values, outputs, runOptions);
                floatTime += watch.Elapsed;
                watch.Restart();
                using var quantizedOutputs = quantizedSession.Run(runOptions, names, values, outputs);
                quantizedTime += watch.Elapsed;

                for (var i = 0; i < outputs.Count; i++)
                {
                    var shape = floatOutputs.Shapes[i];
                    if (!comparisons.TryGetValue(outputs[i], out var comparison))
                    {
                        var isClassScores = shape.Skip(1).Count(d => d > 1) == 1;
                        comparisons[outputs[i]] = comparison = new OutputComparison(outputs[i], isClassScores);
                        if (isClassScores && labeledOutput is null && labels is not null)
                        {
                            labeledOutput = outputs[i];
                        }
                    }
                    var expected = floatOutputs.Outputs[i];
                    var quantized = quantizedOutputs[i].GetTensorDataAsSpan<float>();
                    comparison.Add(expected, quantized, batch.Count);
                    if (outputs[i] == labeledOutput)
                    {
                        var batchLabels = labels!.Skip((int)samples).Take(batch.Count).ToArray();
                        floatAccuracy.Add(expected, batch.Count, batchLabels);
                        quantizedAccuracy.Add(quantized, batch.Count, batchLabels);
                    }
                }
                samples += batch.Count;
            }
            catch (OnnxRuntimeException e)
            {
                throw new AmctException(ErrorCodes.CalibrationRunFailed, source,
                    $"ONNX Runtime could not run the models on the evaluation data: {e.Message}", e);
            }
            finally
            {
                values.ForEach(v => v.Dispose());
            }
        }
        return new EvaluationResult(
            samples,
            outputs.Where(comparisons.ContainsKey).Select(o => comparisons[o].Result()).ToList(),
            labeledOutput,
            labeledOutput is null ? null : floatAccuracy.Result(),
            labeledOutput is null ? null : quantizedAccuracy.Result(),
            floatTime,
            quantizedTime);
    }
}
