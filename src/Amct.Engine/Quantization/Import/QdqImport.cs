using Amct.Engine.Graph;
using Amct.Engine.Onnx;

namespace Amct.Engine.Quantization.Import;

/// <summary>A weight the export stored (or fake-quantized) as symmetric int8: the trained integers and scales.</summary>
public sealed record TrainedWeight(sbyte[] Values, float[] Scales, int? Axis);

/// <summary>
/// What a QDQ (quantization-aware trained) model holds once its Q/DQ pairs are taken out: the float graph they wrapped,
/// the trained factors of every activation they quantized (by the float tensor's name), the trained int8 weights (by
/// the name of the float weight that replaces them), and what had to be changed to get there.
/// </summary>
public sealed record ImportedQdq(
    ModelProto FloatModel,
    IReadOnlyDictionary<string, ActivationParams> Activations,
    IReadOnlyDictionary<string, TrainedWeight> Weights,
    IReadOnlyList<string> Changes,
    int Pairs);

/// <summary>
/// Takes the QuantizeLinear/DequantizeLinear pairs out of a QDQ model (PyTorch QAT exports, ONNX Runtime's quantizer,
/// amct's own output) and keeps their factors, so the ordinary pipeline can plan the model again and place Q/DQ where
/// ONNX Runtime fuses its int8 kernels. An activation pair Q(x)→DQ becomes x with x's factors; a weight, stored as int8
/// behind a DQ or as float behind a Q→DQ, becomes the float values the pair computes, with the integers and scales kept
/// so the weight is stored again exactly as trained. Factors stored as 1-element tensors (the PyTorch exporter's habit)
/// are read as the scalars they mean; zero points stored as int32 are read as the integers they hold. A QAT
/// Conv+BatchNormalization's float arithmetic after its conv is folded into the conv (<see cref="QatConvBatchNormFold"/>).
/// </summary>
public sealed class QdqImport
{
    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private readonly string _source;
    private readonly GraphIndex _index;
    private readonly Dictionary<string, ActivationParams> _activations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TrainedWeight> _weights = new(StringComparer.Ordinal);
    private readonly List<string> _changes = [];
    private readonly Dictionary<string, string> _replaced = new(StringComparer.Ordinal);
    private readonly HashSet<NodeProto> _removed = [];

    private QdqImport(ModelProto model, string source)
    {
        _model = model.Clone();
        _graph = _model.Graph;
        _source = source;
        _index = new GraphIndex(_graph);
    }

    /// <summary>True when the main graph holds a QuantizeLinear or DequantizeLinear node.</summary>
    public static bool HoldsQdq(ModelProto model) => model.Graph.Node.Any(IsQdq);

    /// <summary>The float model behind <paramref name="model"/>'s Q/DQ pairs, and their factors (the model is not changed).</summary>
    public static ImportedQdq Strip(ModelProto model, string source)
    {
        var import = new QdqImport(model, source);
        var pairs = import.Run();
        return new ImportedQdq(import._model, import._activations, import._weights, import._changes, pairs);
    }

    private static bool IsQdq(NodeProto node) =>
        node.Domain is "" or "ai.onnx" && node.OpType is "QuantizeLinear" or "DequantizeLinear";

    private int Run()
    {
        var pairs = 0;
        foreach (var dq in _graph.Node.Where(n => n is { OpType: "DequantizeLinear", Domain: "" or "ai.onnx" }).ToList())
        {
            var input = dq.Input[0];
            if (ConstantBehind(input) is { } stored)
            {
                ImportStoredConstant(dq, stored);
            }
            else if (_index.Producer(input) is { OpType: "QuantizeLinear" } q && IsQdq(q))
            {
                if (ConstantBehind(q.Input[0]) is { DataType: DataTypes.Float } weight)
                {
                    ImportFakeQuantizedWeight(q, dq, weight);
                }
                else
                {
                    ImportActivation(q, dq);
                }
            }
            else
            {
                throw Unsupported(dq, "its input is neither a constant nor the output of a QuantizeLinear (an integer graph input?)");
            }
            _removed.Add(dq);
            pairs++;
        }
        foreach (var q in _graph.Node.Where(n => n is { OpType: "QuantizeLinear" } && IsQdq(n)))
        {
            if (_index.Consumers(q.Output[0]).Any(c => !_removed.Contains(c)) || _graph.Output.Any(o => o.Name == q.Output[0]))
            {
                throw Unsupported(q, "its integer output is used without a DequantizeLinear (an integer graph output?)");
            }
            _removed.Add(q);
        }
        foreach (var node in _removed)
        {
            _graph.Node.Remove(node);
        }
        Rewire();
        _changes.AddRange(QatConvBatchNormFold.Apply(_graph, _weights, _activations, _source));
        RemoveDeadCode();
        return pairs;
    }

    /// <summary>An int8/uint8/int32 initializer behind a DequantizeLinear: a stored weight or bias.</summary>
    private void ImportStoredConstant(NodeProto dq, TensorProto stored)
    {
        var factors = FactorsOf(dq);
        var values = TensorData.ToDoubles(stored, _source);
        var dims = stored.Dims.ToArray();
        var axis = factors.AxisFor(dims.Length);
        var dequantized = Dequantize(values, dims, axis, factors);
        _graph.Initializer.Add(TensorData.FromArray<float>(dq.Output[0], dims, ToFloats(dequantized)));
        if (stored.DataType == DataTypes.Int8 && factors.ZeroPoints.All(z => z == 0))
        {
            _weights[dq.Output[0]] = new TrainedWeight(values.Select(v => (sbyte)v).ToArray(), factors.Scales, axis);
        }
        else if (stored.DataType != DataTypes.Int32)
        {
            _changes.Add($"weight '{dq.Input[0]}' is stored as {DataTypes.Name(stored.DataType)} with a zero point: it is " +
                "quantized again as symmetric int8 from the values it holds (ONNX Runtime's int8 kernels take symmetric int8 weights)");
        }
    }

    /// <summary>A float weight behind Q→DQ (PyTorch's fake-quantized weight): the integers Q computes, DQ's scales.</summary>
    private void ImportFakeQuantizedWeight(NodeProto q, NodeProto dq, TensorProto weight)
    {
        var (quantize, dequantize) = (FactorsOf(q), FactorsOf(dq));
        var values = TensorData.ToDoubles(weight, _source);
        var dims = weight.Dims.ToArray();
        var axis = quantize.AxisFor(dims.Length);
        var integers = Quantize(values, dims, axis, quantize);
        var dequantizeAxis = dequantize.AxisFor(dims.Length);
        if (!quantize.SameAs(dequantize))
        {
            _changes.Add($"weight '{q.Input[0]}': its QuantizeLinear and DequantizeLinear factors differ; the integers the " +
                "QuantizeLinear computes are kept with the DequantizeLinear's scales (the values the model computed)");
        }
        _graph.Initializer.Add(TensorData.FromArray<float>(dq.Output[0], dims,
            ToFloats(Dequantize(integers, dims, dequantizeAxis, dequantize))));
        if (quantize.Signed && dequantize.ZeroPoints.All(z => z == 0) && axis == dequantizeAxis)
        {
            _weights[dq.Output[0]] = new TrainedWeight(integers.Select(v => (sbyte)v).ToArray(), dequantize.Scales, dequantizeAxis);
        }
        else
        {
            _changes.Add($"weight '{q.Input[0]}' is fake-quantized as unsigned or with a zero point: it is quantized " +
                "again as symmetric int8 from the values the pair computed");
        }
    }

    private void ImportActivation(NodeProto q, NodeProto dq)
    {
        var tensor = q.Input[0];
        var (quantize, dequantize) = (FactorsOf(q), FactorsOf(dq));
        if (quantize.Scales.Length != 1 || quantize.ZeroPoints.Length > 1)
        {
            throw Unsupported(q, "it quantizes an activation per channel; ONNX Runtime's int8 kernels take one scale per activation");
        }
        if (!quantize.SameAs(dequantize))
        {
            _changes.Add($"tensor '{tensor}': the DequantizeLinear after its QuantizeLinear has other factors; the " +
                "QuantizeLinear's are kept (a Q/DQ pair must share one scale and zero point to fuse)");
        }
        var offset = quantize.ZeroPoints.Length == 0 ? (quantize.Signed ? 0 : -128) : quantize.ZeroPoints[0] - (quantize.Signed ? 0 : 128);
        var factors = new ActivationParams(quantize.Scales[0], Math.Clamp(offset, -128, 127));
        if (_activations.TryGetValue(tensor, out var earlier) && earlier != factors)
        {
            _changes.Add($"tensor '{tensor}' is quantized twice with different factors; the first pair's are kept");
        }
        else
        {
            _activations[tensor] = factors;
        }
        _replaced[dq.Output[0]] = tensor;
    }

    /// <summary>Every use of a removed activation pair's output reads the float tensor it wrapped.</summary>
    private void Rewire()
    {
        foreach (var node in _graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (_replaced.TryGetValue(node.Input[i], out var tensor))
                {
                    node.Input[i] = tensor;
                }
            }
        }
        // A graph output that was a DQ output keeps its name: the tensor it wrapped is renamed to it.
        foreach (var output in _graph.Output)
        {
            if (_replaced.TryGetValue(output.Name, out var tensor) && !_graph.Input.Any(i => i.Name == tensor))
            {
                Rename(tensor, output.Name);
            }
        }
    }

    private void Rename(string from, string to)
    {
        foreach (var node in _graph.Node)
        {
            for (var i = 0; i < node.Output.Count; i++)
            {
                node.Output[i] = node.Output[i] == from ? to : node.Output[i];
            }
            for (var i = 0; i < node.Input.Count; i++)
            {
                node.Input[i] = node.Input[i] == from ? to : node.Input[i];
            }
        }
        if (_activations.Remove(from, out var factors))
        {
            _activations[to] = factors;
        }
    }

    /// <summary>The scale and zero-point constants (and Identity nodes passing them on) no node reads any more.</summary>
    private void RemoveDeadCode()
    {
        while (true)
        {
            var used = ModelWalker.Nodes(_model).SelectMany(n => n.Input).Concat(_graph.Output.Select(o => o.Name))
                .ToHashSet(StringComparer.Ordinal);
            var deadNodes = _graph.Node.Where(n => n.OpType is "Identity" or "Constant" && n.Output.All(o => !used.Contains(o))).ToList();
            var deadInitializers = _graph.Initializer.Where(t => !used.Contains(t.Name)).ToList();
            if (deadNodes.Count == 0 && deadInitializers.Count == 0)
            {
                return;
            }
            deadNodes.ForEach(n => _graph.Node.Remove(n));
            foreach (var tensor in deadInitializers)
            {
                _graph.Initializer.Remove(tensor);
                if (_graph.Input.FirstOrDefault(i => i.Name == tensor.Name) is { } input)
                {
                    _graph.Input.Remove(input);
                }
            }
        }
    }

    /// <summary>The constant behind a value, looking through Identity nodes (PyTorch shares factors through them).</summary>
    private TensorProto? ConstantBehind(string value)
    {
        for (var hops = 0; hops < 64; hops++)
        {
            if (_index.Constant(value) is { } constant)
            {
                return constant;
            }
            if (_index.Producer(value) is not { OpType: "Identity" } identity)
            {
                return null;
            }
            value = identity.Input[0];
        }
        return null;
    }

    private QdqFactors FactorsOf(NodeProto node)
    {
        if (node.Input.Count < 2 || ConstantBehind(node.Input[1]) is not { } scaleTensor)
        {
            throw Unsupported(node, "its scale is not a constant");
        }
        var scales = TensorData.ToDoubles(scaleTensor, _source).Select(s => (float)s).ToArray();
        if (scales.Length == 0 || scales.Any(s => !float.IsFinite(s) || s <= 0))
        {
            throw Unsupported(node, "its scale is not a positive finite number");
        }
        int[] zeroPoints = [];
        var signed = false;
        if (node.Input.Count > 2 && node.Input[2].Length > 0)
        {
            if (ConstantBehind(node.Input[2]) is not { } zeroPointTensor)
            {
                throw Unsupported(node, "its zero point is not a constant");
            }
            zeroPoints = TensorData.ToDoubles(zeroPointTensor, _source).Select(z => (int)z).ToArray();
            // An int32-stored zero point (some exporters) means the type its values fit: uint8 unless one is negative.
            signed = zeroPointTensor.DataType == DataTypes.Int8 || (zeroPointTensor.DataType == DataTypes.Int32 && zeroPoints.Any(z => z < 0));
        }
        var axis = node.Attribute.FirstOrDefault(a => a.Name == "axis")?.I ?? 1;
        return new QdqFactors(scales, zeroPoints, signed, (int)axis);
    }

    private static double[] Dequantize(double[] values, long[] dims, int? axis, QdqFactors factors) =>
        MapByChannel(values, dims, axis, (v, c) => (v - factors.ZeroPoint(c)) * factors.Scales[factors.Scales.Length == 1 ? 0 : c]);

    /// <summary>As ONNX QuantizeLinear: round half to even, add the zero point, saturate to the integer type.</summary>
    private static double[] Quantize(double[] values, long[] dims, int? axis, QdqFactors factors)
    {
        var (low, high) = factors.Signed ? (-128, 127) : (0, 255);
        return MapByChannel(values, dims, axis, (v, c) => Math.Clamp(
            Math.Round(v / factors.Scales[factors.Scales.Length == 1 ? 0 : c], MidpointRounding.ToEven) + factors.ZeroPoint(c), low, high));
    }

    private static float[] ToFloats(double[] values) => values.Select(v => (float)v).ToArray();

    private static double[] MapByChannel(double[] values, long[] dims, int? axis, Func<double, int, double> map)
    {
        var inner = 1L;
        var channels = 1L;
        if (axis is { } a)
        {
            channels = dims[a];
            for (var d = a + 1; d < dims.Length; d++)
            {
                inner *= dims[d];
            }
        }
        var result = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            result[i] = map(values[i], (int)(i / inner % channels));
        }
        return result;
    }

    private AmctException Unsupported(NodeProto node, string why) =>
        new(ErrorCodes.QatImportUnsupported, _source,
            $"{node.OpType} '{node.Name}': {why}. The QAT import takes Q/DQ pairs on float tensors and weights; re-export " +
            "the model so, or quantize the float model instead (QatImport off).");
}

/// <summary>The factors of one QuantizeLinear or DequantizeLinear: scales, zero points, signedness, and axis.</summary>
internal sealed record QdqFactors(float[] Scales, int[] ZeroPoints, bool Signed, int Axis)
{
    public int ZeroPoint(int channel) => ZeroPoints.Length == 0 ? 0 : ZeroPoints[ZeroPoints.Length == 1 ? 0 : channel];

    /// <summary>The channel axis, or null when there is one scale (a 1-element scale tensor is a scalar).</summary>
    public int? AxisFor(int rank) => Scales.Length == 1 ? null : Axis < 0 ? Axis + rank : Axis;

    public bool SameAs(QdqFactors other) =>
        Scales.SequenceEqual(other.Scales) && Enumerable.Range(0, Math.Max(1, Scales.Length)).All(c => ZeroPoint(c) == other.ZeroPoint(c))
        && Signed == other.Signed;
}
