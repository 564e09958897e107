using Amct.Engine.Quantization;
using Amct.Qat.Interpreter;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Amct.Qat.Training;

/// <summary>
/// The trainable state of a fake-quantized model, placed where the post-training plan puts quantizers: one learned
/// scale per factor group (offsets stay as calibrated), and per quantized weight the weight itself and its learned
/// per-channel (or per-tensor) scales. Scales are learned as logarithms, so they stay positive and Adam's steps are
/// relative. Without <see cref="Enabled"/> the hooks pass values through: the float teacher.
/// </summary>
internal sealed class QuantizerSet : IGraphHooks, IDisposable
{
    private readonly Dictionary<string, (int Group, int Offset)> _activations = new(StringComparer.Ordinal);
    private readonly Dictionary<int, Parameter> _groupLogScales = [];
    private readonly Dictionary<string, QuantizedWeight> _weights = new(StringComparer.Ordinal);
    private readonly int _weightMin;
    private readonly int _weightMax;

    public QuantizerSet(OnnxGraph graph, IReadOnlyList<TensorFactors> factors, QuantizationPlan plan,
        IReadOnlyDictionary<string, QuantizedWeights> weights, int weightBits)
    {
        _weightMin = -(1 << (weightBits - 1));
        _weightMax = (1 << (weightBits - 1)) - 1;
        foreach (var f in factors)
        {
            _activations[f.Tensor] = (f.Group, f.Params.Offset);
            if (!_groupLogScales.ContainsKey(f.Group))
            {
                _groupLogScales[f.Group] = Parameter(log(tensor(f.Params.Scale)));
            }
        }
        foreach (var layer in plan.Layers)
        {
            if (_weights.ContainsKey(layer.Weight))
            {
                continue;
            }
            var quantized = weights[layer.Name];
            var value = graph.Constants[layer.Weight];
            var shape = Enumerable.Repeat(1L, (int)value.dim()).ToArray();
            if (quantized.Axis is { } axis)
            {
                shape[axis] = quantized.Scales.Length;
            }
            var weight = Parameter(value.clone());
            graph.Constants[layer.Weight] = weight;
            _weights[layer.Weight] = new QuantizedWeight(weight, Parameter(log(tensor(quantized.Scales)).reshape(shape)), quantized.Axis);
        }
    }

    /// <summary>False: every hook is the identity (the float model).</summary>
    public bool Enabled { get; set; }

    public IEnumerable<Parameter> WeightParameters => _weights.Values.Select(w => w.Value);

    public IEnumerable<Parameter> ScaleParameters => _groupLogScales.Values.Concat(_weights.Values.Select(w => w.LogScale));

    public Tensor Activation(string name, Tensor value) =>
        Enabled && _activations.TryGetValue(name, out var a) ? FakeQuant.Activation(value, _groupLogScales[a.Group].exp(), a.Offset) : value;

    public Tensor Constant(string name, Tensor value) =>
        Enabled && _weights.TryGetValue(name, out var w) ? FakeQuant.Weight(w.Value, w.LogScale.exp(), _weightMin, _weightMax) : value;

    /// <summary>The learned activation factors, one per input factor, with the clip range the scale gives.</summary>
    public IReadOnlyList<TensorFactors> Factors(IReadOnlyList<TensorFactors> calibrated) => calibrated.Select(f =>
    {
        var scale = (float)Math.Exp(_groupLogScales[f.Group].item<float>());
        var parameters = new ActivationParams(scale, f.Params.Offset);
        var (min, max) = parameters.Range;
        return f with { Algorithm = f.Algorithm + "+distill", ClipMin = min, ClipMax = max, Params = parameters };
    }).ToList();

    /// <summary>The trained weights as int8 codes with their learned scales, per planned layer.</summary>
    public IReadOnlyDictionary<string, QuantizedWeights> Weights(QuantizationPlan plan)
    {
        var byWeight = _weights.ToDictionary(p => p.Key, p => p.Value.ToQuantized(_weightMin, _weightMax), StringComparer.Ordinal);
        return plan.Layers.ToDictionary(l => l.Name, l => byWeight[l.Weight], StringComparer.Ordinal);
    }

    public void Dispose()
    {
        foreach (var scale in _groupLogScales.Values)
        {
            scale.Dispose();
        }
        foreach (var weight in _weights.Values)
        {
            weight.LogScale.Dispose();
        }
    }

    private static Parameter Parameter(Tensor value) => new(value.detach().clone(), requires_grad: true);

    private sealed record QuantizedWeight(Parameter Value, Parameter LogScale, int? Axis)
    {
        public QuantizedWeights ToQuantized(int min, int max)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var scale = LogScale.exp();
            var codes = (Value / scale).round().clamp(min, max);
            var values = codes.to(ScalarType.Int8).data<sbyte>().ToArray();
            var scales = scale.flatten().data<float>().ToArray();
            var error = (codes * scale) - Value;
            var signal = Value.square().sum().item<float>();
            var noise = error.square().sum().item<float>();
            return new QuantizedWeights(values, scales, Axis, Sqnr.Db(signal, noise), 0);
        }
    }
}
