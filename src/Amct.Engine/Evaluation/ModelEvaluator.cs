using System.Diagnostics;
using Amct.Engine.Onnx;
using Google.Protobuf;
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
        using var options = SessionFactory.CreateOptions();
        using var quantizedSession = OpenSession(quantizedModelPath, options);
        return Compare(reference, quantizedSession, batches, labels, quantizedModelPath);
    }

    /// <summary>
    /// Compares a quantized model held in memory with the float reference (whose outputs it may have kept from an
    /// earlier comparison on the same batches).
    /// </summary>
    public static EvaluationResult Compare(FloatReference reference, ModelProto quantizedModel, IEnumerable<InputBatch> batches,
        IReadOnlyList<long>? labels, string source)
    {
        using var options = SessionFactory.CreateOptions();
        using var quantizedSession = new InferenceSession(quantizedModel.ToByteArray(), options);
        return Compare(reference, quantizedSession, batches, labels, source);
    }

    private static InferenceSession OpenSession(string path, SessionOptions options)
    {
        try
        {
            return new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new AmctException(ErrorCodes.CalibrationRunFailed, path, $"ONNX Runtime cannot load the model: {e.Message}", e);
        }
    }

    private static EvaluationResult Compare(FloatReference reference, InferenceSession quantizedSession,
        IEnumerable<InputBatch> batches, IReadOnlyList<long>? labels, string source)
    {
        using var runOptions = new RunOptions();
        var outputs = reference.Outputs;
        var comparisons = new Dictionary<string, OutputComparison>(StringComparer.Ordinal);
        string? labeledOutput = null;
        var floatAccuracy = new TopKAccuracy();
        var quantizedAccuracy = new TopKAccuracy();
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
