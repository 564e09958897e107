using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// Consecutive samples stacked into one tensor per input, ready to feed to ONNX Runtime
/// (see <see cref="OrtTensors.ToOrtValue"/>).
/// </summary>
/// <param name="FirstIndex">Index of the first sample in the batch.</param>
/// <param name="Count">How many samples the batch holds.</param>
/// <param name="Inputs">Input name to a raw_data tensor of dims [Count, ...sample dims].</param>
public sealed record SampleBatch(long FirstIndex, int Count, IReadOnlyDictionary<string, TensorProto> Inputs);
