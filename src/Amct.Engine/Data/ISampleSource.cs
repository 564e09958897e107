using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// One sample: for every model input, one row along the batch axis (the input's shape without its first dimension),
/// in the input's element type, as a raw_data <see cref="TensorProto"/> named after the input.
/// </summary>
/// <param name="Index">Position of the sample in its source (0-based), for messages such as "sample 17".</param>
/// <param name="Name">
/// Where the sample came from when it has a name of its own, else null: an image's path relative to the data folder
/// (its file name when directly inside), a data-set folder, a .bin file. Labels files match samples by it.
/// </param>
/// <param name="Inputs">Input name to row tensor.</param>
public sealed record Sample(long Index, string? Name, IReadOnlyDictionary<string, TensorProto> Inputs);

/// <summary>
/// A stream of samples for a model (calibration or evaluation data). Samples come in a fixed, deterministic order and
/// are read as they are consumed, never all at once, so memory does not grow with the number of samples.
/// </summary>
public interface ISampleSource : IDisposable
{
    /// <summary>What the samples come from (a path), for messages and reports.</summary>
    string Description { get; }

    /// <summary>How many samples the source holds.</summary>
    long Count { get; }

    /// <summary>The samples, in order. Each call starts again from the first sample.</summary>
    IEnumerable<Sample> Read();

    /// <summary>
    /// The samples' <see cref="Sample.Name"/>s, in order, without reading the samples (labels matched by file name
    /// need them before the evaluation runs).
    /// </summary>
    IEnumerable<string?> ReadNames();
}
