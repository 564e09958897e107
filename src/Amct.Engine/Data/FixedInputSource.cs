using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>The samples of a source with the fixed inputs (<see cref="FixedInput"/>) added to every one.</summary>
internal sealed class FixedInputSource(ISampleSource data, IReadOnlyList<ModelInput> dataInputs, IReadOnlyList<FixedInput> fixedInputs)
    : ISampleSource
{
    public string Description => data.Description;

    public long Count => data.Count;

    public IEnumerable<Sample> Read()
    {
        foreach (var sample in data.Read())
        {
            var inputs = new Dictionary<string, TensorProto>(sample.Inputs, StringComparer.Ordinal);
            foreach (var input in fixedInputs)
            {
                inputs[input.Input.Name] = input.TensorFor(sample, dataInputs);
            }
            yield return sample with { Inputs = inputs };
        }
    }

    public IEnumerable<string?> ReadNames() => data.ReadNames();

    public void Dispose() => data.Dispose();
}
