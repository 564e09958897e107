namespace Amct.Engine.Data;

/// <summary>An array matched to the model input it feeds, with the shape each of its rows has as a sample.</summary>
/// <param name="Input">The model input.</param>
/// <param name="Array">The data.</param>
/// <param name="RowShape">The sample shape: the input's shape without its first dimension, dynamic dims filled in.</param>
internal sealed record InputBinding(ModelInput Input, RowArray Array, IReadOnlyList<long> RowShape);

/// <summary>
/// Arrays whose rows are read side by side: row k of every binding together is one sample. One .npy file, one .npz,
/// or one ONNX test data set is a group; a source is a sequence of groups.
/// </summary>
internal sealed class SampleGroup
{
    /// <param name="bindings">One binding for every model input, in the model's input order.</param>
    /// <param name="name">What to call the group's samples (a data-set folder), or null.</param>
    /// <param name="path">The file or folder the group comes from, for errors.</param>
    public SampleGroup(IReadOnlyList<InputBinding> bindings, string? name, string path)
    {
        var counts = bindings.Select(b => b.Array.RowCount).Distinct().Count();
        if (counts > 1)
        {
            throw new AmctException(ErrorCodes.DataSampleCountMismatch, path,
                "the inputs hold different numbers of samples: " +
                string.Join(", ", bindings.Select(b =>
                    $"'{b.Input.Name}' {DataErrors.Count(b.Array.RowCount)} in {b.Array.Label}")) +
                ". Sample k of every input is fed together, so every input needs the same number of samples.");
        }
        Bindings = bindings;
        Name = name;
    }

    public IReadOnlyList<InputBinding> Bindings { get; }

    public string? Name { get; }

    public long Count => Bindings.Count == 0 ? 0 : Bindings[0].Array.RowCount;
}
