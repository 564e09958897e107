using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// The samples of a source as one stream, in data order, with the recurrent state carried: the first sample gets the
/// state its source gives (zero), every later one the float model's state after the sample before. A VAD or a keyword
/// spotter calibrated on chunks with zero state sees only what a stream's first chunk produces (Silero VAD's speech
/// logits stay below zero), so its int8 ranges miss what it computes once it has context. The states come from
/// <paramref name="states"/>, which computes them once per data set (<paramref name="dataSet"/>) for all passes.
/// </summary>
internal sealed class CarriedStateSource(ISampleSource data, CarriedStateCache states, DataSetKey dataSet) : ISampleSource
{
    public string Description => data.Description;

    public long Count => data.Count;

    public IEnumerable<Sample> Read()
    {
        IReadOnlyDictionary<string, TensorProto>? state = null;
        long index = 0;
        foreach (var sample in data.Read())
        {
            var inputs = new Dictionary<string, TensorProto>(sample.Inputs, StringComparer.Ordinal);
            foreach (var (name, value) in state ?? new Dictionary<string, TensorProto>())
            {
                inputs[name] = value;
            }
            state = states.StateAfter(dataSet, index++, inputs);
            yield return sample with { Inputs = inputs };
        }
    }

    public IEnumerable<string?> ReadNames() => data.ReadNames();

    public void Dispose() => data.Dispose();
}
