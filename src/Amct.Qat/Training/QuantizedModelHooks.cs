using Amct.Engine.Quantization;
using Amct.Qat.Interpreter;
using static TorchSharp.torch;

namespace Amct.Qat.Training;

/// <summary>
/// The int8 model as the QDQ builder would write it, run by the interpreter: every activation with factors through
/// its (fixed) fake quantizer, every quantized weight replaced by its dequantized int8 codes. AdaRound reads a layer's
/// inputs from this model, so each layer learns its rounding on the values the quantized model feeds it.
/// </summary>
internal sealed class QuantizedModelHooks : IGraphHooks, IDisposable
{
    private readonly Dictionary<string, (Tensor Scale, int Offset)> _activations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Tensor> _weights = new(StringComparer.Ordinal);

    public QuantizedModelHooks(IReadOnlyList<TensorFactors> factors)
    {
        foreach (var f in factors)
        {
            _activations[f.Tensor] = (tensor(f.Params.Scale), f.Params.Offset);
        }
    }

    /// <summary>Uses <paramref name="dequantized"/> for the weight <paramref name="name"/> from now on (owned by this).</summary>
    public void SetWeight(string name, Tensor dequantized)
    {
        if (_weights.Remove(name, out var old))
        {
            old.Dispose();
        }
        _weights[name] = dequantized;
    }

    public Tensor Activation(string name, Tensor value) =>
        _activations.TryGetValue(name, out var a) ? FakeQuant.Activation(value, a.Scale, a.Offset) : value;

    public Tensor Constant(string name, Tensor value) => _weights.GetValueOrDefault(name) ?? value;

    public void Dispose()
    {
        foreach (var t in _activations.Values.Select(a => a.Scale).Concat(_weights.Values))
        {
            t.Dispose();
        }
    }
}
