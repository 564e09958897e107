using System.Diagnostics;
using System.Globalization;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Retraining;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace Amct.Qat.Training;

/// <summary>
/// Retrain="AdaRound": label-free, layer by layer, in graph order, each quantized weight is rounded up or down as
/// <see cref="LayerRounding"/> learns, keeping the post-training per-channel scales and activation factors. A layer's
/// inputs are the values the int8 model feeds it — activations through their calibrated quantizers, the layers before
/// it already rounded — so later layers make up for the rounding of earlier ones; its target is the output of its
/// float weight on those same inputs. Each layer takes RetrainEpochs passes over the training batches, one Adam step
/// per batch. A layer whose learned rounding reproduces its output worse on the training data than the post-training
/// rounding keeps the post-training one, and so do the layers not reached within RetrainTimeBudget.
/// </summary>
public sealed class AdaRoundRetrainer : IRetrainer
{
    public RetrainResult Retrain(RetrainInput input)
    {
        // Started first: the time budget counts loading libtorch and converting the model, which a user waits for too.
        var watch = Stopwatch.StartNew();
        TorchRuntime.EnsureLoaded(input.Options.Threads);
        torch.manual_seed(input.Options.Seed);
        using var graph = new OnnxGraph(input.Model, input.ModelPath);
        using var hooks = new QuantizedModelHooks(input.Factors);
        var (min, max) = (-(1 << (input.WeightBits - 1)), (1 << (input.WeightBits - 1)) - 1);
        var nodeIndex = input.Model.Graph.Node.Select((n, i) => (n.Name, i)).ToDictionary(p => p.Name, p => p.i, StringComparer.Ordinal);
        var layers = input.Plan.Layers.DistinctBy(l => l.Weight).OrderBy(l => nodeIndex[l.Name]).ToList();
        foreach (var layer in layers)
        {
            var shape = graph.Constants[layer.Weight].shape;
            hooks.SetWeight(layer.Weight, Codes(input.Weights[layer.Name], shape) * Scales(input.Weights[layer.Name], shape));
        }
        var batches = TrainingBatches.Merge(graph,
            input.Batches.Select(b => b.ToDictionary(p => p.Key, p => TorchTensors.FromProto(p.Value, input.ModelPath))).ToList());
        var layerNodes = layers.Select(l => nodeIndex[l.Name]).ToList();
        var kept = LayerCacheBudget.Batches(graph, batches, layerNodes);
        if (kept < batches.Count)
        {
            input.Log.Info($"AdaRound: learns on the first {batches.Take(kept).Sum(TrainingBatches.SizeOf)} of " +
                $"{batches.Sum(TrainingBatches.SizeOf)} training samples, so that its cached activations stay within " +
                $"{LayerCacheBudget.Bytes >> 20} MB");
        }
        var steps = input.Options.Epochs * kept;
        var (done, total) = (0L, (long)steps * layers.Count);
        var rounded = new Dictionary<string, QuantizedWeights>(StringComparer.Ordinal);
        // The "loss curve" of AdaRound: each layer's output mean squared error after its rounding, in graph order.
        var errors = new List<double>();
        // One walk through the graph: each layer's inputs are computed once, from the cached values before it, with the
        // layers before it already rounded (the hooks carry each new rounding to the nodes run after it).
        using var cursor = new GraphCursor(graph, batches.Take(kept), hooks);
        foreach (var tensor in batches.SelectMany(b => b.Values))
        {
            tensor.Dispose();
        }
        var setupSeconds = watch.Elapsed.TotalSeconds;
        foreach (var layer in layers)
        {
            if (input.Options.OutOfTime(watch.Elapsed))
            {
                input.Log.Info($"AdaRound: out of time after {rounded.Count} of {layers.Count} layers; the rest keep the post-training rounding");
                break;
            }
            using var scope = NewDisposeScope();
            cursor.AdvanceTo(nodeIndex[layer.Name]);
            var node = graph.Nodes[cursor.Position];
            var ptq = input.Weights[layer.Name];
            var weight = graph.Constants[layer.Weight];
            var scale = Scales(ptq, weight.shape);
            var inputs = cursor.NodeInputs(layer.Weight);
            using var rounding = new LayerRounding(node, layer.Weight, weight, scale, min, max);
            var targets = rounding.Targets(inputs);
            var codes = rounding.Learn(inputs, targets, steps, () => input.Options.OutOfTime(watch.Elapsed),
                () => input.Log.Progress("AdaRound steps", ++done, total));
            var before = rounding.Error(Codes(ptq, weight.shape), inputs, targets);
            var after = rounding.Error(codes, inputs, targets);
            input.Log.Info(string.Create(CultureInfo.InvariantCulture,
                $"AdaRound {layer.Name}: output mean squared error {before:g4} (post-training rounding) -> {after:g4}"));
            if (after >= before)
            {
                codes = Codes(ptq, weight.shape);
            }
            errors.Add(Math.Min(before, after));
            var quantized = ToQuantized(codes, scale, weight, ptq);
            hooks.SetWeight(layer.Weight, (codes * scale).DetachFromDisposeScope());
            rounded[layer.Weight] = quantized;
        }
        var weights = input.Plan.Layers.ToDictionary(l => l.Name, l => rounded.GetValueOrDefault(l.Weight) ?? input.Weights[l.Name],
            StringComparer.Ordinal);
        return new RetrainResult(input.Factors, weights, errors, (int)done, setupSeconds, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The layer's scales shaped to broadcast against its weight (along the channel axis, or one for all).</summary>
    private static Tensor Scales(QuantizedWeights weights, long[] shape)
    {
        var broadcast = Enumerable.Repeat(1L, shape.Length).ToArray();
        if (weights.Axis is { } axis)
        {
            broadcast[axis] = weights.Scales.Length;
        }
        return tensor(weights.Scales).reshape(broadcast);
    }

    private static Tensor Codes(QuantizedWeights weights, long[] shape) =>
        tensor(weights.Values.Select(v => (float)v).ToArray(), shape);

    private static QuantizedWeights ToQuantized(Tensor codes, Tensor scale, Tensor weight, QuantizedWeights ptq)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = codes.to(ScalarType.Int8).data<sbyte>().ToArray();
        var signal = weight.square().sum().item<float>();
        var noise = ((codes * scale) - weight).square().sum().item<float>();
        return ptq with { Values = values, SqnrDb = Sqnr.Db(signal, noise) };
    }
}
