using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Google.Protobuf;

namespace Amct.Engine.Evaluation;

/// <summary>
/// A few chosen samples of a source, kept in memory as ready batches, for the many small evaluations of the fallback
/// ranking (e.g. the 32 samples the quantized model gets most wrong).
/// </summary>
public static class SampleSubset
{
    public static IReadOnlyList<InputBatch> Select(ISampleSource source, IReadOnlyList<ModelInput> inputs,
        IReadOnlySet<long> indices, int batchSize)
    {
        var chosen = source.Read().Where(s => indices.Contains(s.Index)).ToList();
        return chosen.Chunk(batchSize).Select(rows => Stack(rows, inputs)).ToList();
    }

    private static InputBatch Stack(Sample[] rows, IReadOnlyList<ModelInput> inputs)
    {
        var tensors = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var input in inputs)
        {
            var first = rows[0].Inputs[input.Name];
            var stacked = new TensorProto { Name = input.Name, DataType = first.DataType };
            stacked.Dims.Add(rows.Length);
            stacked.Dims.AddRange(first.Dims);
            stacked.RawData = ByteString.CopyFrom(rows.SelectMany(r => TensorData.ToRawBytes(r.Inputs[input.Name])).ToArray());
            tensors[input.Name] = stacked;
        }
        return new InputBatch(tensors, rows.Length);
    }
}
