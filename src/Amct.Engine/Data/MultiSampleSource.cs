using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// Samples put together from one source per model input: sample k of every source is fed together. The counts were
/// checked equal when the sources were opened. A sample's name is the name of the first input's sample (in the
/// model's input order), so labels match the data of the first input.
/// </summary>
internal sealed class MultiSampleSource : ISampleSource
{
    private readonly IReadOnlyList<ISampleSource> _sources;

    /// <param name="sources">One source per model input, in the model's input order, all with the same count.</param>
    public MultiSampleSource(IReadOnlyList<ISampleSource> sources)
    {
        _sources = sources;
        Description = string.Join(";", sources.Select(s => s.Description));
        Count = sources[0].Count;
    }

    public string Description { get; }

    public long Count { get; }

    public IEnumerable<Sample> Read()
    {
        var enumerators = new List<IEnumerator<Sample>>(_sources.Count);
        try
        {
            foreach (var source in _sources)
            {
                enumerators.Add(source.Read().GetEnumerator());
            }
            while (true)
            {
                var inputs = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
                string? name = null;
                long index = 0;
                for (var i = 0; i < enumerators.Count; i++)
                {
                    if (!enumerators[i].MoveNext())
                    {
                        yield break; // all end together: the counts are equal
                    }
                    var sample = enumerators[i].Current;
                    if (i == 0)
                    {
                        (name, index) = (sample.Name, sample.Index);
                    }
                    foreach (var pair in sample.Inputs)
                    {
                        inputs[pair.Key] = pair.Value;
                    }
                }
                yield return new Sample(index, name, inputs);
            }
        }
        finally
        {
            enumerators.ForEach(e => e.Dispose());
        }
    }

    public IEnumerable<string?> ReadNames() => _sources[0].ReadNames();

    public void Dispose()
    {
        foreach (var source in _sources)
        {
            source.Dispose();
        }
    }
}
