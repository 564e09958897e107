using System.Diagnostics;
using Amct.Engine.Onnx;
using Amct.Engine.Retraining;
using Amct.Qat.Native;
using TorchSharp;

namespace Amct.Qat.Training;

/// <summary>
/// Retrain="Distill": the fake-quantized model (student) learns to reproduce the float model's (teacher's) outputs on
/// the training samples, no labels needed (TrainingLabels add their cross-entropy, <see cref="LabelLoss"/>); after
/// each epoch its loss on the held-out samples (the evaluation data) is recorded too, when given. Loss: KL divergence of the class distributions for class-score outputs ([batch, classes],
/// taken before a final Softmax when the model ends in one), mean squared error otherwise (embeddings, feature maps, a
/// single score). Trained: the weights
/// of the quantized layers, their scales and the activation scales (Adam, <see cref="DistillSession"/>); biases and
/// offsets stay as calibrated.
/// Deterministic for a fixed seed and thread count: the sample order and libtorch's random state come from the seed
/// (RetrainSeed) and libtorch runs at the given thread count. The time budget counts the setup (loading libtorch,
/// converting the model, the teacher's outputs).
/// </summary>
public sealed class DistillRetrainer : IRetrainer
{
    public RetrainResult Retrain(RetrainInput input)
    {
        // Started first: the time budget counts loading libtorch and converting the model, which a user waits for too.
        var watch = Stopwatch.StartNew();
        TorchRuntime.EnsureLoaded(input.Options.Threads);
        torch.manual_seed(input.Options.Seed);
        using var session = new DistillSession(input);
        var setupSeconds = watch.Elapsed.TotalSeconds;
        var order = new Random(input.Options.Seed);
        var total = (long)input.Options.Epochs * session.BatchCount;
        var losses = new List<double>();
        var heldOutLosses = new List<double>();
        var steps = 0;
        for (var epoch = 0; epoch < input.Options.Epochs && !input.Options.OutOfTime(watch.Elapsed); epoch++)
        {
            var sum = 0.0;
            var count = 0;
            foreach (var batch in Enumerable.Range(0, session.BatchCount).OrderBy(_ => order.Next()).ToList())
            {
                sum += session.Step(batch);
                count++;
                input.Log.Progress("retraining steps", ++steps, total);
                if (input.Options.OutOfTime(watch.Elapsed))
                {
                    break;
                }
            }
            losses.Add(count == 0 ? 0 : sum / count);
            if (session.HasHeldOut)
            {
                heldOutLosses.Add(session.HeldOutLoss());
            }
        }
        return new RetrainResult(session.Quantizers.Factors(input.Factors), session.Quantizers.Weights(input.Plan), losses, steps,
            setupSeconds, watch.Elapsed.TotalSeconds) { HeldOutLossCurve = heldOutLosses };
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
