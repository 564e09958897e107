using System.Diagnostics;
using Amct.Engine.Onnx;
using Amct.Engine.Quantization;
using Amct.Engine.Retraining;
using Amct.Qat.Native;
using TorchSharp;

namespace Amct.Qat.Training;

/// <summary>
/// Retrain="Distill": the fake-quantized model (student) learns to reproduce the float model's (teacher's) outputs on
/// the training samples, no labels needed (TrainingLabels add their cross-entropy, <see cref="LabelLoss"/>). Loss: KL
/// divergence of the class distributions for class-score outputs ([batch, classes], taken before a final Softmax when
/// the model ends in one), mean squared error otherwise (embeddings, feature maps, a single score). Trained: the weights
/// of the quantized layers, their scales and the activation scales (Adam, <see cref="DistillSession"/>); biases and
/// offsets stay as calibrated. With held-out samples (the evaluation data) their loss is measured before the first
/// epoch and after each, and the model shipped is the one with the lowest (<see cref="BestEpoch"/>): on a few samples
/// training can overfit, or lose to the post-training model outright (SqueezeNet at 8 bits on 100 photos).
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
        // The post-training model is the first candidate: training on few samples can make it worse on others.
        var best = new BestEpoch(session.HasHeldOut ? session.HeldOutLoss() : null, input.Factors, input.Weights);
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
            var heldOut = session.HasHeldOut ? session.HeldOutLoss() : (double?)null;
            if (heldOut is { } loss)
            {
                heldOutLosses.Add(loss);
            }
            best.Offer(epoch + 1, heldOut, () => (session.Quantizers.Factors(input.Factors), session.Quantizers.Weights(input.Plan)));
        }
        return new RetrainResult(best.Factors, best.Weights, losses, steps, setupSeconds, watch.Elapsed.TotalSeconds)
        {
            HeldOutLossCurve = heldOutLosses,
            HeldOutLossAtStart = best.StartLoss,
            KeptEpoch = best.Epoch,
        };
    }
}

/// <summary>
/// The factors and weights Distill ships: with held-out samples, those of the epoch with the lowest held-out loss, the
/// post-training model before the first epoch (epoch 0) included, the earliest on a tie; without them, the last
/// epoch's. Deterministic as the losses are. Each better epoch's factors and weights are copied out as it ends.
/// </summary>
internal sealed class BestEpoch(double? startLoss, IReadOnlyList<TensorFactors> factors, IReadOnlyDictionary<string, QuantizedWeights> weights)
{
    private double? _loss = startLoss;

    public double? StartLoss { get; } = startLoss;
    public int Epoch { get; private set; }
    public IReadOnlyList<TensorFactors> Factors { get; private set; } = factors;
    public IReadOnlyDictionary<string, QuantizedWeights> Weights { get; private set; } = weights;

    /// <summary>Takes epoch <paramref name="epoch"/>'s state (read by <paramref name="export"/>) if its held-out loss is lower, or when there is none.</summary>
    public void Offer(int epoch, double? heldOutLoss,
        Func<(IReadOnlyList<TensorFactors> Factors, IReadOnlyDictionary<string, QuantizedWeights> Weights)> export)
    {
        if (heldOutLoss is { } loss && _loss is { } bestLoss && !(loss < bestLoss))
        {
            return;
        }
        (Epoch, _loss) = (epoch, heldOutLoss);
        (Factors, Weights) = export();
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
