using System.Diagnostics;
using Amct.Engine;
using Amct.Engine.Onnx;
using Amct.Engine.Retraining;
using Amct.Qat.Interpreter;
using Amct.Qat.Native;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Amct.Qat.Training;

/// <summary>
/// Retrain="Distill": the fake-quantized model (student) learns to reproduce the float model's (teacher's) outputs on
/// the training samples, no labels needed. Loss: KL divergence of the class distributions for outputs with a class
/// axis (taken before a final Softmax when the model ends in one), mean squared error otherwise. Trained: the weights
/// of the quantized layers, their scales and the activation scales (Adam); biases and offsets stay as calibrated.
/// Deterministic for a fixed seed and thread count: the sample order comes from the seed and libtorch runs at the
/// given thread count.
/// </summary>
public sealed class DistillRetrainer : IRetrainer
{
    /// <summary>Adam's learning rate for the weights, and for the logarithms of the scales.</summary>
    public const double WeightLearningRate = 1e-4;
    public const double ScaleLearningRate = 1e-3;

    public RetrainResult Retrain(RetrainInput input)
    {
        TorchRuntime.EnsureLoaded(input.Options.Threads);
        torch.manual_seed(input.Options.Seed);
        var watch = Stopwatch.StartNew();
        using var graph = new OnnxGraph(input.Model, input.ModelPath);
        using var quantizers = new QuantizerSet(graph, input.Factors, input.Plan, input.Weights, input.WeightBits);
        var targets = DistillTargets.Of(input.Model);
        var batches = input.Batches.Select(b => b.ToDictionary(p => p.Key, p => TorchTensors.FromProto(p.Value, input.ModelPath))).ToList();
        var teacher = TeacherOutputs(graph, quantizers, batches, targets);

        using var weightOptimizer = optim.Adam(quantizers.WeightParameters, WeightLearningRate);
        using var scaleOptimizer = optim.Adam(quantizers.ScaleParameters, ScaleLearningRate);
        quantizers.Enabled = true;
        var order = new Random(input.Options.Seed);
        var total = (long)input.Options.Epochs * batches.Count;
        var losses = new List<double>();
        var steps = 0;
        for (var epoch = 0; epoch < input.Options.Epochs && !OutOfTime(input, watch); epoch++)
        {
            var sum = 0.0;
            var count = 0;
            foreach (var b in Enumerable.Range(0, batches.Count).OrderBy(_ => order.Next()).ToList())
            {
                using var scope = NewDisposeScope();
                weightOptimizer.zero_grad();
                scaleOptimizer.zero_grad();
                var student = graph.Run(batches[b], targets.Values, quantizers);
                var loss = Loss(student, teacher[b], targets);
                loss.backward();
                weightOptimizer.step();
                scaleOptimizer.step();
                sum += loss.item<float>();
                count++;
                input.Log.Progress("retraining steps", ++steps, total);
                if (OutOfTime(input, watch))
                {
                    break;
                }
            }
            losses.Add(count == 0 ? 0 : sum / count);
        }
        foreach (var batch in batches.SelectMany(b => b.Values).Concat(teacher.SelectMany(t => t)))
        {
            batch.Dispose();
        }
        return new RetrainResult(quantizers.Factors(input.Factors), quantizers.Weights(input.Plan), losses, steps,
            watch.Elapsed.TotalSeconds);
    }

    private static bool OutOfTime(RetrainInput input, Stopwatch watch) =>
        input.Options.TimeBudgetSeconds is { } budget && watch.Elapsed.TotalSeconds >= budget;

    private static List<Tensor[]> TeacherOutputs(OnnxGraph graph, QuantizerSet quantizers, List<Dictionary<string, Tensor>> batches,
        DistillTargets targets)
    {
        quantizers.Enabled = false;
        using var noGrad = no_grad();
        return batches.Select(b => graph.Run(b, targets.Values, quantizers).Select(t => t.detach().clone()).ToArray()).ToList();
    }

    /// <summary>KL(teacher ‖ student) over the last axis, summed over classes, averaged over the other axes.</summary>
    private static Tensor KlDivergence(Tensor teacherLogits, Tensor studentLogits)
    {
        var teacher = F.log_softmax(teacherLogits, -1);
        return (teacher.exp() * (teacher - F.log_softmax(studentLogits, -1))).sum(-1).mean();
    }

    private static Tensor Loss(Tensor[] student, Tensor[] teacher, DistillTargets targets)
    {
        Tensor? total = null;
        for (var i = 0; i < student.Length; i++)
        {
            var term = targets.AreLogits[i] && student[i].dim() >= 2
                ? KlDivergence(teacher[i], student[i])
                : F.mse_loss(student[i], teacher[i]);
            total = total is null ? term : total + term;
        }
        return total ?? throw new AmctException(ErrorCodes.RetrainUnsupportedOp, "Retrain", "the model has no output to distill");
    }
}

/// <summary>
/// The values the student is compared with the teacher on: each graph output, or the input of the Softmax that makes
/// it (logits keep the information a saturated probability loses).
/// </summary>
internal sealed record DistillTargets(IReadOnlyList<string> Values, IReadOnlyList<bool> AreLogits)
{
    public static DistillTargets Of(ModelProto model)
    {
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var node in model.Graph.Node)
        {
            foreach (var output in node.Output)
            {
                producers[output] = node;
            }
        }
        var values = new List<string>();
        var logits = new List<bool>();
        foreach (var output in model.Graph.Output)
        {
            var softmax = producers.GetValueOrDefault(output.Name) is { OpType: "Softmax" } s ? s : null;
            values.Add(softmax?.Input[0] ?? output.Name);
            logits.Add(true);
        }
        return new DistillTargets(values, logits);
    }
}
