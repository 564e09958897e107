using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization.Rules;

namespace Amct.Engine.Quantization;

/// <summary>
/// Writes the int8 model in standard ONNX QDQ form from a float model and its plan and factors:
/// weights become int8 initializers feeding DequantizeLinear (per-axis scales), biases int32 initializers feeding
/// DequantizeLinear with scale <c>scale_d · scale_w</c>, and every quantized activation gets a QuantizeLinear →
/// DequantizeLinear pair (uint8, zero point <c>offset_d + 128</c>). Folded activations are removed. Stock ONNX Runtime
/// fuses these patterns into its int8 kernels (QLinearConv, QGemm, QLinearAdd…). Tensors the accuracy fallback moved to
/// 16 bits (<see cref="Int16Activations"/>) get a uint16/int16 pair instead: ONNX's own QuantizeLinear from opset 21, or
/// ONNX Runtime's <c>com.microsoft</c> QuantizeLinear/DequantizeLinear (which take 16-bit types) for older opsets.
/// </summary>
public sealed class QdqModelBuilder
{
    private readonly ModelProto _model;
    private readonly GraphProto _graph;
    private readonly QuantizationPlan _plan;
    private readonly IReadOnlyDictionary<string, ActivationParams> _activations;
    private readonly IReadOnlyDictionary<string, QuantizedWeights> _weights;
    private readonly string _source;
    private readonly bool _signedActivations;
    private readonly UniqueNames _names;
    private readonly List<NodeProto> _constantNodes = [];
    private readonly Dictionary<string, List<NodeProto>> _afterProducer = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Weight, bool AsActivation), string> _dequantizedWeights = [];
    private readonly IReadOnlyDictionary<string, Int16ActivationParams> _int16;
    private readonly Dictionary<string, NodeProto> _foldedActivations = new(StringComparer.Ordinal);

    private QdqModelBuilder(ModelProto floatModel, QuantizationPlan plan,
        IReadOnlyDictionary<string, ActivationParams> activations, IReadOnlyDictionary<string, QuantizedWeights> weights, string source,
        bool signedActivations, IReadOnlyDictionary<string, Int16ActivationParams>? sixteenBit)
    {
        _signedActivations = signedActivations;
        _int16 = sixteenBit ?? new Dictionary<string, Int16ActivationParams>();
        _model = floatModel.Clone();
        _graph = _model.Graph;
        _plan = plan;
        _activations = activations;
        _weights = weights;
        _source = source;
        _names = new UniqueNames(_graph);
        _index = new GraphIndex(_graph);
    }

    /// <summary>Lookups over the float graph, for constants (initializers or Constant nodes).</summary>
    private readonly GraphIndex _index;

    /// <param name="floatModel">The prepared float model the plan was made for (not changed).</param>
    /// <param name="plan">What to quantize.</param>
    /// <param name="activations">Factors of every quantized tensor of the plan.</param>
    /// <param name="weights">Quantized weights by layer name.</param>
    /// <param name="source">The model file, for errors.</param>
    /// <param name="signedActivations">Store activations as int8 (zero point = offset) instead of uint8 (offset + 128).</param>
    /// <param name="sixteenBit">Tensors stored at 16 bits instead, with their factors (every member of their groups).</param>
    public static ModelProto Build(ModelProto floatModel, QuantizationPlan plan,
        IReadOnlyDictionary<string, ActivationParams> activations, IReadOnlyDictionary<string, QuantizedWeights> weights, string source,
        bool signedActivations = false, IReadOnlyDictionary<string, Int16ActivationParams>? sixteenBit = null)
    {
        var builder = new QdqModelBuilder(floatModel, plan, activations, weights, source, signedActivations, sixteenBit);
        builder.FoldActivations();
        foreach (var layer in plan.Layers)
        {
            builder.QuantizeLayer(layer);
        }
        foreach (var layer in plan.WeightOnly)
        {
            builder.QuantizeWeightOnly(layer);
        }
        builder.QuantizeActivations();
        builder.ReorderNodes();
        builder.RemoveUnusedInitializers();
        return builder._model;
    }

    private NodeProto NodeNamed(string name) => _graph.Node.First(n => n.Name == name);

    private void FoldActivations()
    {
        foreach (var fold in _plan.Folds)
        {
            var activation = NodeNamed(fold.Node);
            var producer = _graph.Node.First(n => n.Output.Contains(fold.ProducerOutput));
            producer.Output[producer.Output.IndexOf(fold.ProducerOutput)] = fold.Output;
            _graph.Node.Remove(activation);
            _foldedActivations[fold.Output] = activation;
        }
    }

    private void QuantizeLayer(WeightedLayer layer)
    {
        var node = NodeNamed(layer.Name);
        var weights = _weights[layer.Name];
        node.Input[layer.Roles.Weight.Input] = DequantizedWeight(layer, weights);
        // A bias is quantized with the input's scale; without one (weight-only) it stays float, as the layer computes.
        if (layer.Bias is { } biasName && _activations.ContainsKey(layer.ActivationInput))
        {
            var bias = weights.CorrectedBias ?? TensorData.ToArray<float>(_index.Constant(biasName)!, _source);
            var inputScale = _activations[layer.ActivationInput].Scale;
            var (values, scales, overflow) = BiasQuantizer.Quantize(bias, inputScale, weights.Scales);
            if (overflow >= 0)
            {
                throw new AmctException(ErrorCodes.BiasOverflow, _source,
                    $"layer '{layer.Name}': bias channel {overflow} ({bias[overflow]}) divided by input scale × weight scale " +
                    "does not fit in int32. The layer's input range is too narrow for its bias; skip the layer " +
                    $"(--skip-layers {layer.Name}).");
            }
            var perChannel = weights.Axis is not null;
            var quantized = AddInitializer(TensorData.FromArray<int>(_names.Next(layer.Name + "_bias_quantized"), [values.Length], values));
            var scale = AddInitializer(perChannel
                ? TensorData.FromArray<float>(_names.Next(layer.Name + "_bias_scale"), [scales.Length], scales)
                : TensorData.FromArray<float>(_names.Next(layer.Name + "_bias_scale"), [], [scales[0]]));
            var zeroPoint = AddInitializer(perChannel
                ? TensorData.FromArray<int>(_names.Next(layer.Name + "_bias_zero_point"), [values.Length], new int[values.Length])
                : TensorData.FromArray<int>(_names.Next(layer.Name + "_bias_zero_point"), [], [0]));
            node.Input[layer.Roles.Bias!.Input] = Dequantize(quantized, scale, zeroPoint, perChannel ? 0 : null, layer.Name + "_bias", _constantNodes);
        }
        OpRules.WeightedFor(node)!.OnQuantized(node);
    }

    /// <summary>A weight-only layer: each weight int8 behind DequantizeLinear; its bias, input and output stay float.</summary>
    private void QuantizeWeightOnly(WeightOnlyLayer layer)
    {
        var node = NodeNamed(layer.Name);
        var quantized = LayerWeights.Quantize(_index, layer, _source);
        for (var i = 0; i < layer.Weights.Count; i++)
        {
            node.Input[layer.Weights[i].Input] = DequantizedWeight(layer.Weights[i].Tensor, quantized[i], asActivation: false);
        }
    }

    private string DequantizedWeight(WeightedLayer layer, QuantizedWeights weights) =>
        // ONNX Runtime's int8 elementwise kernels (QLinearMul) need both operands in one type, so an elementwise
        // weight is stored as the activations are: uint8 with zero point 128, the same symmetric values shifted.
        DequantizedWeight(layer.Weight, weights, layer.Roles.Weight.Kind == WeightKind.Elementwise && !_signedActivations);

    /// <summary>One int8 weight + DequantizeLinear per weight initializer, shared by the layers that share it.</summary>
    private string DequantizedWeight(string weight, QuantizedWeights weights, bool asActivation)
    {
        if (_dequantizedWeights.TryGetValue((weight, asActivation), out var existing))
        {
            return existing;
        }
        var original = _index.Constant(weight)!;
        var perChannel = weights.Axis is not null;
        var quantizedName = _names.Next(weight + "_quantized");
        var quantized = AddInitializer(asActivation
            ? TensorData.FromArray<byte>(quantizedName, original.Dims.ToArray(), weights.Values.Select(v => (byte)(v + 128)).ToArray())
            : TensorData.FromArray<sbyte>(quantizedName, original.Dims.ToArray(), weights.Values));
        var scale = AddInitializer(perChannel
            ? TensorData.FromArray<float>(_names.Next(weight + "_scale"), [weights.Scales.Length], weights.Scales)
            : TensorData.FromArray<float>(_names.Next(weight + "_scale"), [], weights.Scales));
        var zeroPointName = _names.Next(weight + "_zero_point");
        var zeroPoint = AddInitializer(asActivation
            ? TensorData.FromArray<byte>(zeroPointName, [], [128])
            : perChannel
                ? TensorData.FromArray<sbyte>(zeroPointName, [weights.Scales.Length], new sbyte[weights.Scales.Length])
                : TensorData.FromArray<sbyte>(zeroPointName, [], [0]));
        var output = Dequantize(quantized, scale, zeroPoint, weights.Axis, weight, _constantNodes);
        _dequantizedWeights[(weight, asActivation)] = output;
        return output;
    }

    private void QuantizeActivations()
    {
        // One scale/zero-point pair per group: tensors that share factors share the initializers too.
        var groupOf = new Dictionary<string, (string Scale, string ZeroPoint)>(StringComparer.Ordinal);
        foreach (var group in _plan.Groups)
        {
            var wide = _int16.TryGetValue(group[0], out var int16);
            var scale = AddInitializer(TensorData.FromArray<float>(_names.Next(group[0] + "_scale"), [],
                [wide ? int16.Scale : _activations[group[0]].Scale]));
            var zeroPointName = _names.Next(group[0] + "_zero_point");
            var zeroPoint = AddInitializer(wide
                ? int16.ZeroPointTensor(zeroPointName)
                : _signedActivations
                    ? TensorData.FromArray<sbyte>(zeroPointName, [], [_activations[group[0]].Int8ZeroPoint])
                    : TensorData.FromArray<byte>(zeroPointName, [], [_activations[group[0]].UInt8ZeroPoint]));
            foreach (var tensor in group)
            {
                groupOf[tensor] = (scale, zeroPoint);
            }
        }

        var int16Domain = Int16QdqDomain();
        var consumers = _graph.Node.ToList();
        foreach (var tensor in _plan.QuantizedTensors)
        {
            var (scale, zeroPoint) = groupOf[tensor];
            var domain = _int16.ContainsKey(tensor) ? int16Domain : "";
            var inserted = new List<NodeProto>();
            var quantized = _names.Next(tensor + "_quantized");
            var quantize = NewNode("QuantizeLinear", _names.Next(tensor + "_QuantizeLinear"), [tensor, scale, zeroPoint], [quantized]);
            quantize.Domain = domain;
            inserted.Add(quantize);
            var dequantized = Dequantize(quantized, scale, zeroPoint, null, tensor, inserted, domain);
            string? floatValue = null;
            foreach (var consumer in consumers)
            {
                for (var i = 0; i < consumer.Input.Count; i++)
                {
                    if (consumer.Input[i] == tensor)
                    {
                        consumer.Input[i] = IsFloatWeightedLayer(consumer)
                            ? floatValue ??= FloatValue(tensor, inserted)
                            : dequantized;
                    }
                }
            }
            _afterProducer[tensor] = inserted;
        }
    }

    /// <summary>
    /// A Conv, ConvTranspose, Gemm or MatMul kept in float (not planned, its weight a float constant). It reads the float
    /// tensor, not the dequantized one: when it loads the model, ONNX Runtime quantizes the float constant weight (per
    /// tensor) and bias of such a layer whose input comes from a DequantizeLinear and whose output reaches a
    /// QuantizeLinear (its weight and bias quantization, at the basic optimization level), so a layer kept float for
    /// accuracy or speed would run with int8 weights coarser than ours.
    /// </summary>
    private bool IsFloatWeightedLayer(NodeProto node) =>
        node.OpType is "Conv" or "ConvTranspose" or "Gemm" or "MatMul"
        && node.Domain is "" or "ai.onnx"
        && !_plan.Layers.Any(l => l.Name == node.Name)
        && node.Input.Count > 1
        && _index.Constant(node.Input[1]) is { DataType: DataTypes.Float };

    /// <summary>
    /// The float value of a quantized tensor for float readers: the tensor itself, or — where a Relu/Clip was folded into
    /// its quantizer (whose clamp does the activation's work) — that activation put back for them.
    /// </summary>
    private string FloatValue(string tensor, List<NodeProto> inserted)
    {
        if (!_foldedActivations.TryGetValue(tensor, out var folded))
        {
            return tensor;
        }
        var activation = folded.Clone();
        activation.Name = _names.Next(folded.Name.Length > 0 ? folded.Name + "_float" : tensor + "_float_activation");
        activation.Input[0] = tensor;
        activation.Output.Clear();
        activation.Output.Add(_names.Next(tensor + "_float"));
        inserted.Add(activation);
        return activation.Output[0];
    }

    /// <summary>
    /// The domain of 16-bit Q/DQ nodes: ONNX's own ops take uint16/int16 from opset 21; before that only ONNX Runtime's
    /// <c>com.microsoft</c> ops do (as ONNX Runtime's own quantizer emits them), and the model then imports that domain.
    /// </summary>
    private string Int16QdqDomain()
    {
        if (_int16.Count == 0)
        {
            return "";
        }
        var opset = _model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 0;
        if (opset >= 21)
        {
            return "";
        }
        if (!_model.OpsetImport.Any(o => o.Domain == MicrosoftDomain))
        {
            _model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        }
        return MicrosoftDomain;
    }

    /// <summary>ONNX Runtime's contrib-op domain.</summary>
    public const string MicrosoftDomain = "com.microsoft";

    /// <summary>
    /// Node order: constant dequantizations first, then each original node followed by the Q/DQ of its outputs (graph
    /// inputs' Q/DQ come first), which keeps the graph topologically sorted.
    /// </summary>
    private void ReorderNodes()
    {
        var ordered = new List<NodeProto>(_constantNodes);
        foreach (var input in _graph.Input)
        {
            ordered.AddRange(_afterProducer.GetValueOrDefault(input.Name) ?? []);
        }
        foreach (var node in _graph.Node)
        {
            ordered.Add(node);
            foreach (var output in node.Output)
            {
                ordered.AddRange(_afterProducer.GetValueOrDefault(output) ?? []);
            }
        }
        _graph.Node.Clear();
        _graph.Node.AddRange(ordered);
    }

    private void RemoveUnusedInitializers()
    {
        var used = ModelWalker.Nodes(_model).SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        used.UnionWith(_graph.Output.Select(o => o.Name));
        foreach (var tensor in _graph.Initializer.Where(t => !used.Contains(t.Name)).ToList())
        {
            _graph.Initializer.Remove(tensor);
            // Before IR 4 initializers were also declared as graph inputs.
            if (_graph.Input.FirstOrDefault(i => i.Name == tensor.Name) is { } input)
            {
                _graph.Input.Remove(input);
            }
        }
    }

    private string AddInitializer(TensorProto tensor)
    {
        _graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private string Dequantize(string quantized, string scale, string zeroPoint, int? axis, string baseName, List<NodeProto> into,
        string domain = "")
    {
        var output = _names.Next(baseName + "_dequantized");
        var node = NewNode("DequantizeLinear", _names.Next(baseName + "_DequantizeLinear"), [quantized, scale, zeroPoint], [output]);
        node.Domain = domain;
        if (axis is { } a)
        {
            node.Attribute.Add(new AttributeProto { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = a });
        }
        into.Add(node);
        return output;
    }

    private static NodeProto NewNode(string opType, string name, string[] inputs, string[] outputs)
    {
        var node = new NodeProto { OpType = opType, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }
}

/// <summary>Hands out names not yet used by any node, value or initializer of a graph.</summary>
internal sealed class UniqueNames
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public UniqueNames(GraphProto graph)
    {
        _used.UnionWith(graph.Node.Select(n => n.Name));
        _used.UnionWith(graph.Node.SelectMany(n => n.Input.Concat(n.Output)));
        _used.UnionWith(graph.Initializer.Select(t => t.Name));
        _used.UnionWith(graph.Input.Concat(graph.Output).Concat(graph.ValueInfo).Select(v => v.Name));
    }

    public string Next(string wanted)
    {
        var name = wanted;
        for (var i = 1; !_used.Add(name); i++)
        {
            name = $"{wanted}_{i}";
        }
        return name;
    }
}
