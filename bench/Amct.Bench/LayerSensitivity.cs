using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Bench;

/// <summary>
/// Where a model's top-1 agreement with float is lost (issue 17, item 1): the int8 model the job ships, then copies of
/// it with one thing put back to float — one activation tensor's quantize/dequantize pair removed (every reader then
/// sees the float tensor), or one weighted layer's float weight and bias restored, or both for that layer — each run
/// by ONNX Runtime (fused) on the evaluation data. A row says how many of the shipped model's misses that one change
/// repairs and how many new misses it makes, so the misses can be pinned on tensors and layers.
/// </summary>
internal static class LayerSensitivity
{
    /// <param name="cumulative">
    /// Null: one tensor or layer at a time. Otherwise these tensors (names in the int8 model) are put back to float one
    /// after another, each row keeping the ones before it float too: how many it takes to reach an agreement.
    /// </param>
    public static void Run(DefaultsStudy.Case study, string scratch, TextWriter output, Func<QuantizeRequest, QuantizeRequest>? setting = null,
        IReadOnlyList<string>? cumulative = null)
    {
        var request = new QuantizeRequest
        {
            ModelPath = study.Model,
            CalibrationData = study.Calibration,
            OutputDirectory = scratch,
            MeasureLatency = false,
        };
        request = study.Data?.Invoke(request) ?? request;
        request = setting?.Invoke(request) ?? request;
        var result = QuantizationJob.Run(request, new CollectingLog());
        var floatModel = ModelLoader.Load(study.Model);
        var int8 = ModelLoader.Load(result.QuantizedModel);
        var inputs = ModelInput.Of(floatModel);
        List<IReadOnlyDictionary<string, TensorProto>> batches;
        using (var source = SampleSources.Open(study.Evaluation, inputs, request.DataOptions ?? SampleSourceOptions.Default))
        {
            batches = SampleBatches.Read(source, inputs, SampleBatches.ChooseBatchSize(inputs)).Select(b => b.Inputs).ToList();
        }
        var reference = Top1(floatModel, batches, study.Model, out var margins);
        var shipped = Top1(int8, batches, study.Model);
        var misses = Misses(reference, shipped);
        output.WriteLine($"### Where agreement is lost: {study.Name}");
        output.WriteLine($"int8 as shipped: {reference.Length - misses.Count}/{reference.Length} agree ({Agreement(reference, shipped):P2}); misses at samples {string.Join(", ", misses)}");
        var largest = misses.Max(m => margins[m]);
        output.WriteLine($"float top-1 − top-2 margin of the missed samples: {string.Join(", ", misses.Select(m => margins[m].ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)))}; " +
            $"{margins.Count(m => m <= largest)} of {margins.Length} samples have a margin no larger than the largest of those");
        output.WriteLine();
        output.WriteLine("| put back to float | agreement | misses repaired | new misses |");
        output.WriteLine("|---|---|---|---|");
        var rows = new List<(string Name, int[] Top1)>();
        if (cumulative is not null)
        {
            var model = int8;
            foreach (var tensor in cumulative)
            {
                var quantizer = model.Graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Input[0] == tensor);
                model = WithoutPair(model, floatModel, quantizer.Output[0]);
                var top1 = Top1(model, batches, study.Model);
                var now = Misses(reference, top1);
                output.WriteLine($"| … and tensor {tensor} | {Agreement(reference, top1):P2} | {misses.Except(now).Count()} | {now.Except(misses).Count()} |");
            }
            output.WriteLine();
            return;
        }
        foreach (var quantize in int8.Graph.Node.Where(n => n.OpType == "QuantizeLinear").ToList())
        {
            rows.Add(($"tensor {quantize.Input[0]}", Top1(WithoutPair(int8, floatModel, quantize.Output[0]), batches, study.Model)));
        }
        var floatNodes = floatModel.Graph.Node.Where(n => n.Name.Length > 0).ToDictionary(n => n.Name, StringComparer.Ordinal);
        var floatByOutput = floatModel.Graph.Node.ToDictionary(n => n.Output[0], StringComparer.Ordinal);
        foreach (var layer in int8.Graph.Node.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul").ToList())
        {
            if ((floatNodes.GetValueOrDefault(layer.Name) ?? floatByOutput.GetValueOrDefault(layer.Output[0])) is not { } original)
            {
                continue;
            }
            rows.Add(($"layer {layer.Name}: weight and bias", Top1(WithFloatWeights(int8, floatModel, layer.Name, original), batches, study.Model)));
            rows.Add(($"layer {layer.Name}: weight, bias and input",
                Top1(WithFloatInput(WithFloatWeights(int8, floatModel, layer.Name, original), floatModel, layer.Name), batches, study.Model)));
        }
        foreach (var (name, top1) in rows.OrderByDescending(r => Agreement(reference, r.Top1)))
        {
            var now = Misses(reference, top1);
            output.WriteLine($"| {name} | {Agreement(reference, top1):P2} | {misses.Except(now).Count()} | {now.Except(misses).Count()} |");
        }
        output.WriteLine();
    }

    /// <summary>The model with the quantize/dequantize pair on one tensor removed: its readers read the float tensor.</summary>
    private static ModelProto WithoutPair(ModelProto model, ModelProto floatModel, string quantized)
    {
        var copy = model.Clone();
        var graph = copy.Graph;
        var quantize = graph.Node.Single(n => n.OpType == "QuantizeLinear" && n.Output[0] == quantized);
        var dequantizes = graph.Node.Where(n => n.OpType == "DequantizeLinear" && n.Input[0] == quantized).ToList();
        var value = FloatValue(graph, floatModel, quantize.Input[0]);
        foreach (var dequantize in dequantizes)
        {
            Rewire(graph, dequantize.Output[0], value);
            graph.Node.Remove(dequantize);
        }
        graph.Node.Remove(quantize);
        return copy;
    }

    /// <summary>
    /// The float value of a quantized tensor: the tensor itself, or — where the int8 model folded a Relu/Clip into the
    /// quantizer (the quantizer's clamp at 0 did its work) — a copy of that activation put back after it.
    /// </summary>
    private static string FloatValue(GraphProto graph, ModelProto floatModel, string tensor)
    {
        var floatProducer = floatModel.Graph.Node.FirstOrDefault(n => n.Output.Contains(tensor));
        var producer = graph.Node.FirstOrDefault(n => n.Output.Contains(tensor));
        if (floatProducer is null || producer is null || floatProducer.OpType == producer.OpType || floatProducer.OpType is not ("Relu" or "Clip"))
        {
            return tensor;
        }
        var activation = floatProducer.Clone();
        activation.Name = $"{tensor}_float_restored_activation"; // the float node may have no name
        activation.Input[0] = tensor;
        activation.Output.Clear();
        activation.Output.Add($"{tensor}_float_restored");
        foreach (var bound in floatProducer.Input.Skip(1).Where(b => b.Length > 0))
        {
            if (floatModel.Graph.Initializer.FirstOrDefault(t => t.Name == bound) is { } constant && graph.Initializer.All(t => t.Name != bound))
            {
                graph.Initializer.Add(constant.Clone());
            }
        }
        graph.Node.Add(activation);
        return activation.Output[0];
    }

    /// <summary>The model with one layer's weight and bias taken from the float model (its input stays quantized).</summary>
    private static ModelProto WithFloatWeights(ModelProto model, ModelProto floatModel, string layer, NodeProto original)
    {
        var copy = model.Clone();
        var node = copy.Graph.Node.Single(n => n.Name == layer);
        for (var i = 1; i < node.Input.Count && i < original.Input.Count; i++)
        {
            var name = original.Input[i];
            if (floatModel.Graph.Initializer.FirstOrDefault(t => t.Name == name) is not { } tensor)
            {
                continue;
            }
            var restored = tensor.Clone();
            restored.Name = $"{name}_float_restored";
            copy.Graph.Initializer.Add(restored);
            node.Input[i] = restored.Name;
        }
        return copy;
    }

    /// <summary>The layer reads its input before the quantize/dequantize pair (other readers keep the pair).</summary>
    private static ModelProto WithFloatInput(ModelProto model, ModelProto floatModel, string layer)
    {
        var copy = model.Clone();
        var node = copy.Graph.Node.Single(n => n.Name == layer);
        if (copy.Graph.Node.FirstOrDefault(n => n.OpType == "DequantizeLinear" && n.Output[0] == node.Input[0]) is { } dequantize &&
            copy.Graph.Node.FirstOrDefault(n => n.OpType == "QuantizeLinear" && n.Output[0] == dequantize.Input[0]) is { } quantize)
        {
            node.Input[0] = FloatValue(copy.Graph, floatModel, quantize.Input[0]);
        }
        return copy;
    }

    private static void Rewire(GraphProto graph, string from, string to)
    {
        foreach (var node in graph.Node)
        {
            for (var i = 0; i < node.Input.Count; i++)
            {
                if (node.Input[i] == from)
                {
                    node.Input[i] = to;
                }
            }
        }
        foreach (var output in graph.Output.Where(o => o.Name == from))
        {
            output.Name = to;
        }
    }

    /// <summary>Each sample's top-1 class from the model's first output, run by ONNX Runtime with its optimizations.</summary>
    private static int[] Top1(ModelProto model, List<IReadOnlyDictionary<string, TensorProto>> batches, string source) =>
        Top1(model, batches, source, out _);

    /// <summary>Each sample's top-1 class, and how far its first output's largest value lies above the second.</summary>
    private static int[] Top1(ModelProto model, List<IReadOnlyDictionary<string, TensorProto>> batches, string source, out double[] margins)
    {
        var margin = new List<double>();
        using var session = ModelSession.Open(model, source, ModelOrigin.Quantized);
        using var runOptions = new RunOptions();
        var result = new List<int>();
        var outputName = session.Session.OutputNames[0];
        foreach (var batch in batches)
        {
            var names = batch.Keys.ToList();
            var values = names.Select(n => OrtTensors.ToOrtValue(batch[n])).ToList();
            using (var outputs = session.Session.Run(runOptions, names, values, [outputName]))
            {
                var data = outputs[0].GetTensorDataAsSpan<float>();
                var count = (int)outputs[0].GetTensorTypeAndShape().Shape[0];
                var size = data.Length / count;
                for (var s = 0; s < count; s++)
                {
                    var row = data.Slice(s * size, size);
                    var best = 0;
                    for (var c = 1; c < size; c++)
                    {
                        if (row[c] > row[best])
                        {
                            best = c;
                        }
                    }
                    result.Add(best);
                    var second = float.NegativeInfinity;
                    for (var c = 0; c < size; c++)
                    {
                        second = c != best && row[c] > second ? row[c] : second;
                    }
                    margin.Add(row[best] - second);
                }
            }
            values.ForEach(v => v.Dispose());
        }
        margins = margin.ToArray();
        return result.ToArray();
    }

    private static List<int> Misses(int[] reference, int[] other) =>
        Enumerable.Range(0, reference.Length).Where(i => reference[i] != other[i]).ToList();

    private static double Agreement(int[] reference, int[] other) =>
        (double)(reference.Length - Misses(reference, other).Count) / reference.Length;
}
