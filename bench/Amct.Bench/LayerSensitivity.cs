using Amct.Engine.Data;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Microsoft.ML.OnnxRuntime;

namespace Amct.Bench;

/// <summary>
/// Where a model's top-1 agreement with float is lost (issue 17, item 1): the int8 model the job ships, then copies of
/// it with one thing put back to float — one activation tensor's quantize/dequantize pair removed (every reader then
/// sees the float tensor), or one weighted layer's float weight and bias restored, or both for that layer — each run
/// by ONNX Runtime on the evaluation data. A row says how many of the shipped model's misses that one change repairs
/// and how many new misses it makes, so the misses can be pinned on tensors and layers.
/// A row with float weights is run as written (ONNX Runtime's optimizations off), against the shipped model run the
/// same way: with its optimizations on, ONNX Runtime quantizes a float Conv/Gemm weight that sits between a
/// DequantizeLinear input and a QuantizeLinear output itself, per tensor (its weight and bias quantization transform,
/// at the basic level), so such a row would measure ONNX Runtime's per-tensor int8 weights, not float ones.
/// The study opens with the error budget: the shipped model, then all weights float, then all activations float.
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
        var floatOutputs = Outputs(floatModel, batches, study.Model, asWritten: false);
        var reference = Top1(floatOutputs);
        var margins = Margins(floatOutputs);
        var shipped = Top1(int8, batches, study.Model);
        var misses = Misses(reference, shipped);
        Budget(study, int8, floatModel, batches, floatOutputs, output);
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
        foreach (var (name, top1) in rows.OrderByDescending(r => Agreement(reference, r.Top1)))
        {
            var now = Misses(reference, top1);
            output.WriteLine($"| {name} | {Agreement(reference, top1):P2} | {misses.Except(now).Count()} | {now.Except(misses).Count()} |");
        }
        output.WriteLine();
        // Float weights: every model of this table (the shipped one first) run as written, see the summary.
        var asWritten = Top1(Outputs(int8, batches, study.Model, asWritten: true));
        var writtenMisses = Misses(reference, asWritten);
        output.WriteLine($"One layer's float weights, every model run as written (ONNX Runtime's optimizations off); the shipped model run so " +
            $"agrees on {Agreement(reference, asWritten):P2}.");
        output.WriteLine();
        output.WriteLine("| put back to float | agreement | misses repaired | new misses |");
        output.WriteLine("|---|---|---|---|");
        var layerRows = new List<(string Name, int[] Top1)>();
        foreach (var (layer, original) in WeightedLayers(int8, floatModel))
        {
            var floatWeights = WithFloatWeights(int8, floatModel, layer.Name, original);
            layerRows.Add(($"layer {layer.Name}: weight and bias", Top1(Outputs(floatWeights, batches, study.Model, asWritten: true))));
            layerRows.Add(($"layer {layer.Name}: weight, bias and input",
                Top1(Outputs(WithFloatInput(floatWeights, floatModel, layer.Name), batches, study.Model, asWritten: true))));
        }
        foreach (var (name, top1) in layerRows.OrderByDescending(r => Agreement(reference, r.Top1)))
        {
            var now = Misses(reference, top1);
            output.WriteLine($"| {name} | {Agreement(reference, top1):P2} | {writtenMisses.Except(now).Count()} | {now.Except(writtenMisses).Count()} |");
        }
        output.WriteLine();
    }

    /// <summary>
    /// Where the output error comes from, every model run as written (ONNX Runtime's optimizations off, so that float
    /// weights stay float; see the summary): the shipped int8 model, the same with every weighted layer's float weight
    /// and bias (activations alone quantized), and with every activation quantize/dequantize pair removed (weights alone).
    /// </summary>
    private static void Budget(DefaultsStudy.Case study, ModelProto int8, ModelProto floatModel,
        List<IReadOnlyDictionary<string, TensorProto>> batches, float[][] floatOutputs, TextWriter output)
    {
        var weightsFloat = int8;
        foreach (var (layer, original) in WeightedLayers(int8, floatModel))
        {
            weightsFloat = WithFloatWeights(weightsFloat, floatModel, layer.Name, original);
        }
        var activationsFloat = int8;
        foreach (var quantized in int8.Graph.Node.Where(n => n.OpType == "QuantizeLinear").Select(n => n.Output[0]).ToList())
        {
            activationsFloat = WithoutPair(activationsFloat, floatModel, quantized);
        }
        var reference = Top1(floatOutputs);
        output.WriteLine("Error budget (every model run as written: ONNX Runtime's optimizations off):");
        output.WriteLine();
        output.WriteLine("| model | agreement | output SQNR dB |");
        output.WriteLine("|---|---|---|");
        foreach (var (name, model) in new[]
        {
            ("int8 as shipped", int8),
            ("int8 activations, float weights and biases", weightsFloat),
            ("int8 weights, float activations", activationsFloat),
        })
        {
            var outputs = Outputs(model, batches, study.Model, asWritten: true);
            output.WriteLine($"| {name} | {Agreement(reference, Top1(outputs)):P2} | {SqnrDb(floatOutputs, outputs):0.00} |");
        }
        output.WriteLine();
    }

    /// <summary>
    /// The int8 model's Conv/Gemm/MatMul nodes with their node in the float model: the float node reading the weight
    /// initializer that the int8 node's weight was quantized from (the int8 model names it <c>&lt;weight&gt;_quantized</c>).
    /// Neither names nor outputs match: the float model's nodes may have no name, and where a Relu was folded into the
    /// quantizer the int8 layer's output carries the Relu's output name.
    /// </summary>
    private static List<(NodeProto Layer, NodeProto Original)> WeightedLayers(ModelProto int8, ModelProto floatModel)
    {
        var dequantized = int8.Graph.Node.Where(n => n.OpType == "DequantizeLinear").ToDictionary(n => n.Output[0], n => n.Input[0], StringComparer.Ordinal);
        var floatByWeight = floatModel.Graph.Node.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul" && n.Input.Count > 1)
            .GroupBy(n => n.Input[1], StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var layers = new List<(NodeProto, NodeProto)>();
        foreach (var layer in int8.Graph.Node.Where(n => n.OpType is "Conv" or "Gemm" or "MatMul" && n.Input.Count > 1))
        {
            var weight = dequantized.GetValueOrDefault(layer.Input[1]) is { } codes && codes.EndsWith("_quantized", StringComparison.Ordinal)
                ? codes[..^"_quantized".Length] : layer.Input[1];
            if (floatByWeight.GetValueOrDefault(weight) is { } original)
            {
                layers.Add((layer, original));
            }
        }
        return layers;
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
        Top1(Outputs(model, batches, source, asWritten: false));

    /// <summary>
    /// Each sample's first output. <paramref name="asWritten"/>: with ONNX Runtime's graph optimizations off, every node
    /// runs as written (the model is saved into the scratch folder to be opened that way).
    /// </summary>
    private static float[][] Outputs(ModelProto model, List<IReadOnlyDictionary<string, TensorProto>> batches, string source, bool asWritten)
    {
        string? file = null;
        if (asWritten)
        {
            file = Path.Combine(Path.GetTempPath(), $"amct-sensitivity-{Environment.ProcessId}.onnx");
            ModelSaver.Save(model, file);
        }
        try
        {
            using var session = file is null ? ModelSession.Open(model, source, ModelOrigin.Quantized) : ModelSession.OpenUnoptimized(file, ModelOrigin.Quantized);
            using var runOptions = new RunOptions();
            var result = new List<float[]>();
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
                    for (var i = 0; i < count; i++)
                    {
                        result.Add(data.Slice(i * size, size).ToArray());
                    }
                }
                values.ForEach(v => v.Dispose());
            }
            return result.ToArray();
        }
        finally
        {
            if (file is not null)
            {
                File.Delete(file);
            }
        }
    }

    private static int[] Top1(float[][] outputs) =>
        outputs.Select(row => Array.IndexOf(row, row.Max())).ToArray();

    /// <summary>How far each sample's largest value lies above the second.</summary>
    private static double[] Margins(float[][] outputs) =>
        outputs.Select(row => (double)(row.Max() - row.OrderDescending().Skip(1).First())).ToArray();

    /// <summary>Output SQNR over every value of every sample, as the job's evaluation computes it.</summary>
    private static double SqnrDb(float[][] reference, float[][] other)
    {
        double signal = 0, noise = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            for (var j = 0; j < reference[i].Length; j++)
            {
                signal += (double)reference[i][j] * reference[i][j];
                noise += ((double)other[i][j] - reference[i][j]) * ((double)other[i][j] - reference[i][j]);
            }
        }
        return Amct.Engine.Quantization.Sqnr.Db(signal, noise);
    }

    private static List<int> Misses(int[] reference, int[] other) =>
        Enumerable.Range(0, reference.Length).Where(i => reference[i] != other[i]).ToList();

    private static double Agreement(int[] reference, int[] other) =>
        (double)(reference.Length - Misses(reference, other).Count) / reference.Length;
}
