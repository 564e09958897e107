using Amct.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Amct.Engine.Evaluation;

/// <summary>
/// The float model's side of an evaluation. Its outputs on a fixed sequence of batches never change, so they are kept
/// (up to a memory cap) and later evaluations of other quantized candidates on the same batches — the fallback's many
/// steps — run only the quantized model. With <paramref name="model"/>, that model held in memory is run instead of the
/// file (range refinement's float model, with the outputs it scores), and <paramref name="floatModelPath"/> names it in errors.
/// </summary>
public sealed class FloatReference(string floatModelPath, long maxCachedValues = 32 << 20, bool unoptimized = false, ModelProto? model = null)
    : IDisposable
{
    private readonly List<(float[][] Outputs, long[][] Shapes)> _cache = [];
    private long _cachedValues;
    private bool _cacheFull;
    private ModelSession? _session;

    /// <summary>The float32 tensor outputs compared (in the model's order).</summary>
    public IReadOnlyList<string> Outputs => Session.OutputMetadata
        .Where(o => o.Value.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR && o.Value.ElementDataType == TensorElementType.Float)
        .Select(o => o.Key)
        .ToList();

    private InferenceSession Session => (_session ??= model is not null
        ? ModelSession.Open(model, floatModelPath, ModelOrigin.User)
        : unoptimized
        ? ModelSession.OpenUnoptimized(floatModelPath, ModelOrigin.User)
        : ModelSession.Open(floatModelPath, ModelOrigin.User)).Session;

    /// <summary>The float outputs of the <paramref name="batchIndex"/>-th batch: from the cache, or computed now.</summary>
    public (float[][] Outputs, long[][] Shapes) Run(int batchIndex, IReadOnlyList<string> names, IReadOnlyList<OrtValue> values,
        IReadOnlyList<string> outputs, RunOptions runOptions)
    {
        if (batchIndex < _cache.Count)
        {
            return _cache[batchIndex];
        }
        using var results = Session.Run(runOptions, names, values, outputs);
        var entry = Copy(results);
        Keep(batchIndex, entry);
        return entry;
    }

    /// <summary>
    /// The outputs a pass over <paramref name="graph"/> (the float model with outputs of its own added) can keep for this
    /// reference: all of <see cref="Outputs"/> when the graph still has every one of them, else none, and the reference
    /// computes them itself.
    /// </summary>
    public IReadOnlyList<string> KeepableFrom(GraphProto graph) =>
        Outputs.All(o => graph.Output.Any(g => g.Name == o)) ? Outputs : [];

    /// <summary>
    /// Keeps the float outputs of the <paramref name="batchIndex"/>-th batch, computed elsewhere from the float model on
    /// the same inputs (<see cref="KeepableFrom"/>'s outputs, in that order), so that <see cref="Run"/> need not compute
    /// them: bias correction's layer probe and weight rounding's statistics pass run the float model anyway. Batches are
    /// kept in order, within the memory cap.
    /// </summary>
    public void Keep(int batchIndex, IReadOnlyList<OrtValue> results) => Keep(batchIndex, Copy(results));

    private static (float[][] Outputs, long[][] Shapes) Copy(IReadOnlyList<OrtValue> results) =>
        (results.Select(r => r.GetTensorDataAsSpan<float>().ToArray()).ToArray(), results.Select(r => r.GetTensorTypeAndShape().Shape).ToArray());

    private void Keep(int batchIndex, (float[][] Outputs, long[][] Shapes) entry)
    {
        var size = entry.Outputs.Sum(o => (long)o.Length);
        if (!_cacheFull && batchIndex == _cache.Count && _cachedValues + size <= maxCachedValues)
        {
            _cache.Add(entry);
            _cachedValues += size;
        }
        else if (batchIndex >= _cache.Count)
        {
            _cacheFull = true;
        }
    }

    public void Dispose()
    {
        _session?.Dispose();
    }
}
