using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// The float model's recurrent state along each data set a job reads (<see cref="CarriedStateSource"/>), computed once
/// per data set and reused by every later pass over it. A job passes over its data many times (DMQ's statistics,
/// calibration, output-aware ranges, bias correction, the If branches, evaluation of every fallback candidate, the
/// layer errors); without this, every pass ran the float model once more per sample only to carry the state.
/// </summary>
/// <remarks>
/// Memory is bounded by <see cref="BudgetBytes"/> over all data sets of the job. A state is small (Silero VAD's h and c
/// are 2×1×64 floats each: 1 KB per 32 ms chunk, so the default budget holds about 35 minutes of audio), but a data
/// set can be long and a model's state large. Past the budget a data set keeps the states it stored (its prefix is
/// still reused) and the rest are recomputed on every pass, as they were before this cache: slower, never more memory,
/// and the same states either way (the stepper runs on one thread, so a recomputed state is the stored one bit for bit).
/// </remarks>
/// <param name="stepper">Runs the float model one sample ahead.</param>
/// <param name="budgetBytes">The most state bytes kept (protobuf size of the stored tensors), over all data sets.</param>
public sealed class CarriedStateCache(IStateStepper stepper, long budgetBytes = CarriedStateCache.DefaultBudgetBytes)
{
    /// <summary>64 MiB: every calibration and evaluation set of a VAD or keyword spotter fits many times over.</summary>
    public const long DefaultBudgetBytes = 64L << 20;

    private readonly Dictionary<DataSetKey, List<IReadOnlyDictionary<string, TensorProto>>> _byDataSet = new();
    private readonly object _lock = new();

    /// <summary>The stepper the states come from.</summary>
    public IStateStepper Stepper => stepper;

    /// <summary>The most state bytes kept, over all data sets.</summary>
    public long BudgetBytes => budgetBytes;

    /// <summary>The state bytes kept so far.</summary>
    public long StoredBytes { get; private set; }

    /// <summary>
    /// The state after sample <paramref name="index"/> of <paramref name="dataSet"/> (state input name to value):
    /// stored when an earlier pass computed it, else the stepper's from <paramref name="feed"/>, that sample's full feed.
    /// Callers ask in data order from the first sample, so a data set's states are stored as one prefix.
    /// </summary>
    internal IReadOnlyDictionary<string, TensorProto> StateAfter(DataSetKey dataSet, long index,
        IReadOnlyDictionary<string, TensorProto> feed)
    {
        lock (_lock)
        {
            if (!_byDataSet.TryGetValue(dataSet, out var states))
            {
                _byDataSet[dataSet] = states = [];
            }
            if (index < states.Count)
            {
                return Copy(states[(int)index]);
            }
            var state = stepper.StateAfter(feed);
            var size = state.Values.Sum(t => (long)t.CalculateSize());
            if (index == states.Count && StoredBytes + size <= budgetBytes)
            {
                states.Add(state);
                StoredBytes += size;
                return Copy(state);
            }
            return state;
        }
    }

    /// <summary>
    /// Each pass gets its own tensor objects, so a stage that changed a fed tensor could not change what later passes
    /// are fed (the data is shared: a protobuf ByteString is immutable).
    /// </summary>
    private static Dictionary<string, TensorProto> Copy(IReadOnlyDictionary<string, TensorProto> state) =>
        state.ToDictionary(p => p.Key, p => p.Value.Clone(), StringComparer.Ordinal);
}

/// <summary>
/// What decides a data set's sample stream, and so its carried states: the path read, the inputs it feeds and the
/// options it is read with (a job reads every pass with the same ones; anything else is another data set).
/// </summary>
internal readonly record struct DataSetKey(string Path, IReadOnlyList<ModelInput> Inputs, SampleSourceOptions Options);
