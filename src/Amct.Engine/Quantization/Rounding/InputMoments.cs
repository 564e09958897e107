using Amct.Engine.Evaluation;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization.OutputError;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Engine.Quantization.Rounding;

/// <summary>One layer whose input moments are wanted: the activation it reads, and how its weight multiplies it.</summary>
public sealed record MomentLayer(string Input, RoundingLayout Layout);

/// <summary>A layer's H per group (row-major d × d, summed over the data), and how many input vectors each sums.</summary>
public sealed record LayerMoments(double[][] Groups, long Vectors);

/// <summary>
/// H = Σ x xᵀ of each layer's input vectors x over the calibration data, computed by ONNX Runtime in one pass over the
/// float model, so only groups × d × d numbers per layer leave the session per batch, whatever the activations' size.
/// A matrix product's vectors are its input's rows. A convolution's are its patches: the padded input is sliced once per
/// kernel offset (start offset × dilation, step the stride, so every slice holds one value per output position), the
/// slices are stacked and reordered to [group, channel, offset] — the order of the weight's [C/group, k…] layout — and
/// the stack is multiplied by its own transpose, one d × d product per group.
/// </summary>
public static class InputMoments
{
    /// <summary>
    /// Per layer, per group, H row-major (d × d), summed in double over the batches. With <paramref name="reference"/>,
    /// the float model's outputs, which the pass computes anyway, are handed to it batch by batch
    /// (<see cref="FloatReference.Keep(int, IReadOnlyList{OrtValue})"/>), so the output check after it runs only the int8 models.
    /// </summary>
    public static IReadOnlyList<LayerMoments> Measure(ModelProto floatModel, IReadOnlyList<MomentLayer> layers,
        IEnumerable<IReadOnlyDictionary<string, TensorProto>> batches, string source, FloatReference? reference = null)
    {
        var sums = layers.Select(l => Enumerable.Range(0, l.Layout.Groups).Select(_ => new double[l.Layout.Columns * l.Layout.Columns]).ToArray()).ToList();
        var vectors = new long[layers.Count];
        if (layers.Count == 0)
        {
            return [];
        }
        var (model, outputs) = Build(floatModel, layers);
        using var modelSession = ModelSession.Open(model, source, ModelOrigin.User);
        using var runOptions = new RunOptions();
        var floatOutputs = reference?.KeepableFrom(model.Graph) ?? [];
        var names = outputs.Concat(floatOutputs).ToList();
        var batchIndex = 0;
        foreach (var batch in batches)
        {
            var inputs = batch.Keys.ToList();
            var values = inputs.Select(n => OrtTensors.ToOrtValue(batch[n], n)).ToList();
            try
            {
                using var results = LayerProbe.Run(modelSession.Session, runOptions, inputs, values, names, source, "the weight rounding's input statistics");
                for (var i = 0; i < layers.Count; i++)
                {
                    Accumulate(sums[i], results[2 * i].GetTensorDataAsSpan<float>());
                    vectors[i] += results[(2 * i) + 1].GetTensorDataAsSpan<long>()[2];
                }
                if (floatOutputs.Count > 0)
                {
                    reference!.Keep(batchIndex, results.Skip(outputs.Count).ToList());
                }
                batchIndex++;
            }
            finally
            {
                values.ForEach(v => v.Dispose());
            }
        }
        return sums.Select((s, i) => new LayerMoments(s, vectors[i])).ToList();
    }

    private static void Accumulate(double[][] groups, ReadOnlySpan<float> batch)
    {
        var size = groups[0].Length;
        for (var g = 0; g < groups.Length; g++)
        {
            var sum = groups[g];
            var part = batch.Slice(g * size, size);
            for (var i = 0; i < size; i++)
            {
                sum[i] += part[i];
            }
        }
    }

    /// <summary>The float model with, per layer, H of one batch ([groups, d, d]) and its vectors' shape ([groups, d, count]) as outputs.</summary>
    internal static (ModelProto Model, IReadOnlyList<string> Outputs) Build(ModelProto floatModel, IReadOnlyList<MomentLayer> layers)
    {
        var model = floatModel.Clone();
        var graph = model.Graph;
        var names = new UniqueNames(graph);
        var outputs = new List<string>();
        foreach (var layer in layers)
        {
            var vectors = layer.Layout.Conv is { } conv
                ? Patches(graph, names, layer.Input, layer.Layout, conv)
                : Rows(graph, names, layer.Input, layer.Layout.Columns);
            var transposed = LayerProbe.Add(graph, names, "Transpose", [vectors], layer.Input + "_moments_transposed", Perm(0, 2, 1));
            var moments = LayerProbe.Add(graph, names, "MatMul", [vectors, transposed], layer.Input + "_moments");
            var shape = LayerProbe.Add(graph, names, "Shape", [vectors], layer.Input + "_moments_count");
            graph.Output.Add(LayerProbe.Output(moments, DataTypes.Float));
            graph.Output.Add(LayerProbe.Output(shape, DataTypes.Int64));
            outputs.Add(moments);
            outputs.Add(shape);
        }
        return (model, outputs);
    }

    /// <summary>A matrix product's input as [1, d, rows].</summary>
    private static string Rows(GraphProto graph, UniqueNames names, string input, int columns)
    {
        var rows = Reshape(graph, names, input, [-1, columns], input + "_moments_rows");
        var columnsFirst = LayerProbe.Add(graph, names, "Transpose", [rows], input + "_moments_columns", Perm(1, 0));
        return Reshape(graph, names, columnsFirst, [1, columns, -1], input + "_moments_vectors");
    }

    /// <summary>A convolution's patches as [groups, d, N × positions].</summary>
    private static string Patches(GraphProto graph, UniqueNames names, string input, RoundingLayout layout, ConvPatches conv)
    {
        var spatial = conv.Kernel.Length;
        var padded = input;
        if (conv.Pads.Any(p => p != 0))
        {
            var pads = new long[2 * (spatial + 2)];
            for (var a = 0; a < spatial; a++)
            {
                pads[2 + a] = conv.Pads[a];
                pads[spatial + 4 + a] = conv.Pads[spatial + a];
            }
            padded = LayerProbe.Add(graph, names, "Pad", [input, Int64s(graph, names, input + "_moments_pads", pads)], input + "_moments_padded");
        }
        var axes = Enumerable.Range(2, spatial).Select(a => (long)a).ToArray();
        var slices = new List<string>();
        for (var k = 0; k < conv.Offsets; k++)
        {
            var starts = new long[spatial];
            var ends = new long[spatial];
            var rest = k;
            for (var a = spatial - 1; a >= 0; a--)
            {
                var offset = rest % conv.Kernel[a];
                rest /= (int)conv.Kernel[a];
                starts[a] = offset * conv.Dilations[a];
                // Ends counted from the back, so that every offset's slice holds exactly the output positions.
                ends[a] = offset == conv.Kernel[a] - 1 ? long.MaxValue : -(conv.Kernel[a] - 1 - offset) * conv.Dilations[a];
            }
            var sliced = starts.All(s => s == 0) && ends.All(e => e == long.MaxValue) && conv.Strides.All(s => s == 1)
                ? padded
                : LayerProbe.Add(graph, names, "Slice",
                    [padded, Int64s(graph, names, input + "_moments_starts", starts), Int64s(graph, names, input + "_moments_ends", ends),
                     Int64s(graph, names, input + "_moments_axes", axes), Int64s(graph, names, input + "_moments_steps", conv.Strides)],
                    input + "_moments_offset");
            slices.Add(Reshape(graph, names, sliced, [0, 0, -1], input + "_moments_flat"));
        }
        var stacked = slices.Count == 1
            ? slices[0]
            : LayerProbe.Add(graph, names, "Concat", [.. slices], input + "_moments_stacked", IntAttribute("axis", 1));
        var channels = layout.Columns / conv.Offsets;
        var split = Reshape(graph, names, stacked, [0, conv.Offsets, conv.Groups, channels, -1], input + "_moments_split");
        var ordered = LayerProbe.Add(graph, names, "Transpose", [split], input + "_moments_ordered", Perm(2, 3, 1, 0, 4));
        return Reshape(graph, names, ordered, [conv.Groups, layout.Columns, -1], input + "_moments_vectors");
    }

    private static string Reshape(GraphProto graph, UniqueNames names, string input, long[] shape, string wanted) =>
        LayerProbe.Add(graph, names, "Reshape", [input, Int64s(graph, names, wanted + "_shape", shape)], wanted);

    private static string Int64s(GraphProto graph, UniqueNames names, string wanted, long[] values) =>
        LayerProbe.Initializer(graph, TensorData.FromArray<long>(names.Next(wanted), [values.Length], values));

    private static AttributeProto Perm(params long[] perm)
    {
        var attribute = new AttributeProto { Name = "perm", Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(perm);
        return attribute;
    }

    private static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };
}
