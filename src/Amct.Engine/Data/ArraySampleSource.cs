using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.Engine.Data;

/// <summary>
/// The samples of a sequence of <see cref="SampleGroup"/>s: every group's rows, read side by side, one sample at a
/// time. Each <see cref="Read"/> opens the files afresh and closes them when the enumeration ends, so the source
/// holds no file open and no data between reads. Floating-point rows are checked for NaN and infinity as they go.
/// </summary>
internal sealed class ArraySampleSource : ISampleSource
{
    private readonly IReadOnlyList<SampleGroup> _groups;

    /// <param name="description">The data path.</param>
    /// <param name="groups">The groups, in the order their samples come.</param>
    public ArraySampleSource(string description, IReadOnlyList<SampleGroup> groups)
    {
        Description = description;
        _groups = groups;
        Count = groups.Aggregate(0L, (sum, group) => checked(sum + group.Count));
        if (Count == 0)
        {
            throw new AmctException(ErrorCodes.DataEmpty, description,
                "the data holds no samples (its arrays have 0 rows along axis 0). Add samples, stacked along axis 0.");
        }
    }

    public string Description { get; }

    public long Count { get; }

    public IEnumerable<Sample> Read()
    {
        var tally = new NonFiniteTally();
        long index = 0;
        foreach (var group in _groups)
        {
            var readers = new List<IRowReader>(group.Bindings.Count);
            try
            {
                foreach (var binding in group.Bindings)
                {
                    readers.Add(binding.Array.OpenRows()); // one by one, so a failure still closes those opened
                }
                for (long row = 0; row < group.Count; row++, index++)
                {
                    var tensors = new Dictionary<string, TensorProto>(group.Bindings.Count, StringComparer.Ordinal);
                    for (var i = 0; i < readers.Count; i++)
                    {
                        var binding = group.Bindings[i];
                        var bytes = readers[i].ReadRow();
                        tally.Add(binding, bytes, index);
                        tensors[binding.Input.Name] = RowTensor(binding, bytes);
                    }
                    // After the first NaN or Inf, keep reading (without handing out samples) only to count them all.
                    if (tally.Clean)
                    {
                        yield return new Sample(index, SampleName(group, row), tensors);
                    }
                }
            }
            finally
            {
                readers.ForEach(reader => reader.Dispose());
            }
        }
        tally.ThrowIfFound();
    }

    public IEnumerable<string?> ReadNames() =>
        _groups.SelectMany(group => Rows(group.Count).Select(row => SampleName(group, row)));

    /// <summary>Nothing to release: files are open only while a <see cref="Read"/> enumeration runs.</summary>
    public void Dispose()
    {
    }

    private static TensorProto RowTensor(InputBinding binding, byte[] bytes)
    {
        // The row array is new and handed over, so the tensor can wrap it instead of copying it.
        var tensor = new TensorProto
        {
            Name = binding.Input.Name,
            DataType = binding.Input.ElementType,
            RawData = UnsafeByteOperations.UnsafeWrap(bytes),
        };
        tensor.Dims.AddRange(binding.RowShape);
        return tensor;
    }

    private static IEnumerable<long> Rows(long count)
    {
        for (long row = 0; row < count; row++)
        {
            yield return row;
        }
    }

    private static string? SampleName(SampleGroup group, long row) =>
        group.Name is null ? null
        : group.Count == 1 ? group.Name
        : $"{group.Name}[{DataErrors.Count(row)}]";
}
