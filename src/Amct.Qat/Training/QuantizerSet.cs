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
/// relative. Weights are learned in units of their post-training quantization step (per channel), for the same
/// reason: Adam moves every parameter by about its learning rate per step whatever the gradient's size, so an absolute
/// rate that suits one model's weights is noise of whole quantization steps on another's (SqueezeNet's steps are
/// 0.001–0.01: an absolute 1e-4 per step took its held-out KL from 8.5e-7 to 2e-4 in one epoch of 16 photos).
/// Without <see cref="Enabled"/> the hooks pass the (trained) weights through unquantized and the activations
/// unchanged: the float model.
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
            var step = tensor(quantized.Scales).reshape(shape);
            _weights[layer.Weight] = new QuantizedWeight(Parameter(value / step), step, Parameter(log(step)), quantized.Axis);
        }
    }

    /// <summary>False: every hook is the identity (the float model).</summary>
    public bool Enabled { get; set; }

    /// <summary>The weights, each in units of its post-training quantization step.</summary>
    public IEnumerable<Parameter> WeightParameters => _weights.Values.Select(w => w.Steps);

    public IEnumerable<Parameter> ScaleParameters => _groupLogScales.Values.Concat(_weights.Values.Select(w => w.LogScale));

    public Tensor Activation(string name, Tensor value) =>
        Enabled && _activations.TryGetValue(name, out var a) ? FakeQuant.Activation(value, _groupLogScales[a.Group].exp(), a.Offset) : value;

    public Tensor Constant(string name, Tensor value) =>
        !_weights.TryGetValue(name, out var w) ? value
        : Enabled ? FakeQuant.Weight(w.Value, w.LogScale.exp(), _weightMin, _weightMax)
        : w.Value;

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
            weight.Steps.Dispose();
            weight.Step.Dispose();
            weight.LogScale.Dispose();
        }
    }

    private static Parameter Parameter(Tensor value) => new(value.detach().clone(), requires_grad: true);

    /// <param name="Steps">The trained weight in units of <paramref name="Step"/>.</param>
    /// <param name="Step">The post-training quantization step, shaped to broadcast against the weight (fixed).</param>
    /// <param name="LogScale">The logarithm of the learned quantization step.</param>
    private sealed record QuantizedWeight(Parameter Steps, Tensor Step, Parameter LogScale, int? Axis)
    {
        /// <summary>The trained float weight.</summary>
        public Tensor Value => Steps * Step;

        public QuantizedWeights ToQuantized(int min, int max)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var scale = LogScale.exp();
            var value = Value;
            var codes = (value / scale).round().clamp(min, max);
            var values = codes.to(ScalarType.Int8).data<sbyte>().ToArray();
            var scales = scale.flatten().data<float>().ToArray();
            var error = (codes * scale) - value;
            var signal = value.square().sum().item<float>();
            var noise = error.square().sum().item<float>();
            return new QuantizedWeights(values, scales, Axis, Sqnr.Db(signal, noise), 0);
        }
    }
}
