using Amct.Engine.Evaluation;
using Amct.Engine.Graph;
using Amct.Engine.Onnx;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Quantization.OutputError;

/// <summary>
/// One weighted layer run on its input quantized with <paramref name="Input"/> and on its int8 weights. With
/// <paramref name="FoldedActivation"/> (the name of a Relu or Clip node folded into the layer's quantized output) the
/// error is measured after that activation, on both sides: what the int8 model computes is the clipped output, so an
/// error on values the activation cuts away costs nothing.
/// </summary>
public sealed record LayerVariant(WeightedLayer Layer, ActivationParams Input, string? FoldedActivation = null);

/// <summary>
/// Measures what quantization does to each layer's output in one ONNX Runtime pass over the calibration data: the float
/// model gets, beside each layer, a copy reading the float input through a quantize/dequantize pair and the int8
/// weights; the difference of the two outputs is reduced in the graph to its squared sum and its per-channel means, so
/// only a few numbers per layer leave the session whatever the tensors' size. Each copy reads the float model's own
/// input, so a layer's figures do not depend on how the others are quantized: every layer of the plan (and every
/// candidate input range of it) is measured in the same pass.
/// </summary>
public static class LayerProbe
{
    /// <summary>
    /// Runs the probe over <paramref name="batches"/>; one <see cref="LayerOutputError"/> per variant, in order. A
    /// variant with a folded activation gets its error after the activation, and the error before it as
    /// <see cref="LayerOutputError.Unactivated"/>. With <paramref name="reference"/>, the float model's outputs, which
    /// the probe computes anyway, are handed to it batch by batch (<see cref="FloatReference.Keep"/>), so a later
    /// comparison on the same batches need not run the float model again.
    /// </summary>
    public static IReadOnlyList<LayerOutputError> Measure(ModelProto floatModel, IReadOnlyList<LayerVariant> variants,
        IReadOnlyDictionary<string, QuantizedWeights> weights, IEnumerable<IReadOnlyDictionary<string, TensorProto>> batches,
        string source, FloatReference? reference = null)
    {
        var (probe, outputs) = Build(floatModel, variants, weights);
        var measured = outputs.SelectMany(o => o.Activated is { } a ? new[] { o, a } : [o]).ToList();
        var errors = measured.Select(o => new LayerOutputError(o.Channels)).ToList();
        if (variants.Count > 0)
        {
            using var modelSession = ModelSession.Open(probe, source, ModelOrigin.User);
            using var runOptions = new RunOptions();
            // The prepared model keeps the float model's output names; where it would not, the check runs the float model.
            var floatOutputs = reference?.KeepableFrom(probe.Graph) ?? [];
            var names = measured.SelectMany(o => new[] { o.SquaredError, o.ChannelMeans, o.Shape }).Concat(floatOutputs).ToList();
            var batchIndex = 0;
            foreach (var batch in batches)
            {
                var inputs = batch.Keys.ToList();
                var values = inputs.Select(n => OrtTensors.ToOrtValue(batch[n], n)).ToList();
                try
                {
                    using var results = Run(modelSession.Session, runOptions, inputs, values, names, source, "the layers' output check");
                    for (var i = 0; i < measured.Count; i++)
                    {
                        errors[i].Add(results[3 * i].GetTensorDataAsSpan<float>()[0], results[(3 * i) + 1].GetTensorDataAsSpan<float>(),
                            results[(3 * i) + 2].GetTensorDataAsSpan<long>());
                    }
                    var floatResults = results.Skip(3 * measured.Count).ToList();
                    if (floatResults.Count > 0)
                    {
                        reference!.Keep(batchIndex, floatResults);
                    }
                    batchIndex++;
                }
                finally
                {
                    values.ForEach(v => v.Dispose());
                }
            }
        }
        var result = new List<LayerOutputError>();
        var next = 0;
        foreach (var output in outputs)
        {
            var unactivated = errors[next++];
            result.Add(output.Activated is null ? unactivated : errors[next++].WithUnactivated(unactivated));
        }
        return result;
    }

    /// <summary>
    /// The graph outputs of one variant: squared error (scalar), channel means ([C]) and the layer output's shape; with a
    /// folded activation, <paramref name="Activated"/> holds the same three after it.
    /// </summary>
    internal sealed record VariantOutputs(string SquaredError, string ChannelMeans, string Shape, int Channels,
        VariantOutputs? Activated = null);

    /// <summary>The float model with each variant's copy of its layer and the reductions of its difference as outputs.</summary>
    internal static (ModelProto Model, IReadOnlyList<VariantOutputs> Outputs) Build(ModelProto floatModel,
        IReadOnlyList<LayerVariant> variants, IReadOnlyDictionary<string, QuantizedWeights> weights)
    {
        var model = floatModel.Clone();
        var graph = model.Graph;
        var index = new GraphIndex(graph);
        var names = new UniqueNames(graph);
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 13;
        var nodes = graph.Node.ToDictionary(n => n.Name, StringComparer.Ordinal);
        var dequantizedWeights = new Dictionary<string, string>(StringComparer.Ordinal);
        var outputs = new List<VariantOutputs>();
        foreach (var variant in variants)
        {
            var layer = variant.Layer;
            var node = nodes[layer.Name];
            var weight = index.Constant(layer.Weight)!;
            var quantized = weights[layer.Name];
            if (!dequantizedWeights.TryGetValue(layer.Name, out var weightValue))
            {
                weightValue = DequantizedWeight(graph, names, layer, weight, quantized);
                dequantizedWeights[layer.Name] = weightValue;
            }
            var input = QuantizedInput(graph, names, layer.ActivationInput, variant.Input);
            var copy = node.Clone();
            copy.Name = names.Next(layer.Name + "_probe");
            copy.Input[layer.Roles.Activation] = input;
            copy.Input[layer.Roles.Weight.Input] = weightValue;
            copy.Output.Clear();
            copy.Output.Add(names.Next(node.Output[0] + "_probe"));
            graph.Node.Add(copy);

            var rank = layer.Roles.Weight.Kind == Rules.WeightKind.ConvLike ? weight.Dims.Count : 2;
            var axes = Enumerable.Range(0, rank).Where(a => a != 1).Select(a => (long)a).ToArray();
            var channels = OutputChannels(layer, weight);
            var measured = Difference(graph, names, copy.Output[0], node.Output[0], axes, opset, channels);
            if (variant.FoldedActivation is { } activationName)
            {
                var activation = nodes[activationName].Clone();
                activation.Name = names.Next(activationName + "_probe");
                activation.Input[0] = copy.Output[0];
                activation.Output.Clear();
                activation.Output.Add(names.Next(nodes[activationName].Output[0] + "_probe"));
                graph.Node.Add(activation);
                measured = measured with
                {
                    Activated = Difference(graph, names, activation.Output[0], nodes[activationName].Output[0], axes, opset, channels),
                };
            }
            outputs.Add(measured);
        }
        return (model, outputs);
    }

    /// <summary>The probed output's difference from the float one, reduced to the variant's three outputs.</summary>
    private static VariantOutputs Difference(GraphProto graph, UniqueNames names, string probed, string reference, long[] axes,
        long opset, int channels)
    {
        var difference = Add(graph, names, "Sub", [probed, reference], reference + "_probe_difference");
        var squared = Add(graph, names, "ReduceSumSquare", [difference], reference + "_probe_squared_error", KeepDims(0));
        var means = ChannelMeans(graph, names, difference, axes, opset, reference + "_probe_channel_means");
        var shape = Add(graph, names, "Shape", [reference], reference + "_probe_shape");
        graph.Output.Add(Output(squared, DataTypes.Float));
        graph.Output.Add(Output(means, DataTypes.Float));
        graph.Output.Add(Output(shape, DataTypes.Int64));
        return new VariantOutputs(squared, means, shape, channels);
    }

    /// <summary>How many output channels the layer has: the size of its weight's output-channel axis.</summary>
    public static int OutputChannels(WeightedLayer layer, TensorProto weight) =>
        layer.Roles.Weight.ChannelAxis is { } axis ? (int)weight.Dims[axis] : 0;

    private static string DequantizedWeight(GraphProto graph, UniqueNames names, WeightedLayer layer, TensorProto weight,
        QuantizedWeights quantized)
    {
        var perChannel = quantized.Axis is not null;
        var values = Initializer(graph, TensorData.FromArray<sbyte>(names.Next(layer.Weight + "_probe_quantized"), weight.Dims.ToArray(), quantized.Values));
        var scale = Initializer(graph, perChannel
            ? TensorData.FromArray<float>(names.Next(layer.Weight + "_probe_scale"), [quantized.Scales.Length], quantized.Scales)
            : TensorData.FromArray<float>(names.Next(layer.Weight + "_probe_scale"), [], quantized.Scales));
        var zeroPoint = Initializer(graph, perChannel
            ? TensorData.FromArray<sbyte>(names.Next(layer.Weight + "_probe_zero_point"), [quantized.Scales.Length], new sbyte[quantized.Scales.Length])
            : TensorData.FromArray<sbyte>(names.Next(layer.Weight + "_probe_zero_point"), [], [0]));
        return perChannel
            ? Add(graph, names, "DequantizeLinear", [values, scale, zeroPoint], layer.Weight + "_probe_dequantized", Axis(quantized.Axis!.Value))
            : Add(graph, names, "DequantizeLinear", [values, scale, zeroPoint], layer.Weight + "_probe_dequantized");
    }

    /// <summary>The input through a quantize/dequantize pair with these factors, stored as the int8 model stores it (uint8).</summary>
    private static string QuantizedInput(GraphProto graph, UniqueNames names, string tensor, ActivationParams factors)
    {
        var scale = Initializer(graph, TensorData.FromArray<float>(names.Next(tensor + "_probe_scale"), [], [factors.Scale]));
        var zeroPoint = Initializer(graph, TensorData.FromArray<byte>(names.Next(tensor + "_probe_zero_point"), [], [factors.UInt8ZeroPoint]));
        var quantized = Add(graph, names, "QuantizeLinear", [tensor, scale, zeroPoint], tensor + "_probe_quantized");
        return Add(graph, names, "DequantizeLinear", [quantized, scale, zeroPoint], tensor + "_probe_dequantized");
    }

    /// <summary>ReduceMean over every axis but 1; its axes are an attribute before opset 18 and an input from 18 on.</summary>
    private static string ChannelMeans(GraphProto graph, UniqueNames names, string input, long[] axes, long opset, string wanted)
    {
        if (opset >= 18)
        {
            var axesTensor = Initializer(graph, TensorData.FromArray<long>(names.Next(wanted + "_axes"), [axes.Length], axes));
            return Add(graph, names, "ReduceMean", [input, axesTensor], wanted, KeepDims(0));
        }
        var attribute = new AttributeProto { Name = "axes", Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(axes);
        return Add(graph, names, "ReduceMean", [input], wanted, KeepDims(0), attribute);
    }

    private static AttributeProto KeepDims(long value) =>
        new() { Name = "keepdims", Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto Axis(long value) =>
        new() { Name = "axis", Type = AttributeProto.Types.AttributeType.Int, I = value };

    /// <summary>Appends one node; its output gets a fresh name based on <paramref name="wantedOutput"/>, which is returned.</summary>
    internal static string Add(GraphProto graph, UniqueNames names, string opType, string[] inputs, string wantedOutput,
        params AttributeProto[] attributes)
    {
        var output = names.Next(wantedOutput);
        var node = new NodeProto { OpType = opType, Name = names.Next(output + "_" + opType) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return output;
    }

    internal static string Initializer(GraphProto graph, TensorProto tensor)
    {
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    internal static ValueInfoProto Output(string name, int elementType) =>
        new() { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = elementType } } };

    /// <summary>One run of a probe model; an ONNX Runtime failure becomes AMCT's calibration-run error naming <paramref name="what"/>.</summary>
    internal static IDisposableReadOnlyCollection<OrtValue> Run(InferenceSession session, RunOptions runOptions,
        IReadOnlyList<string> inputs, IReadOnlyList<OrtValue> values, IReadOnlyList<string> outputs, string source, string what)
    {
        try
        {
            return session.Run(runOptions, inputs, values, outputs);
        }
        catch (OnnxRuntimeException e)
        {
            throw new AmctException(ErrorCodes.CalibrationRunFailed, source,
                $"ONNX Runtime could not run {what} on the calibration data: {e.Message}", e);
        }
    }
}
