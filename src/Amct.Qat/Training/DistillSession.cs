using Amct.Engine;
using Amct.Engine.Retraining;
using Amct.Qat.Interpreter;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Amct.Qat.Training;

/// <summary>
/// One distillation set up for training: the graph with trainable weights and quantizers, the training batches as
/// torch tensors, the teacher's outputs on them (computed once), the labels' loss when TrainingLabels are given (added to
/// the training loss only: the held-out samples have no labels), and the optimizers. <see cref="Step"/> is one
/// optimizer step on one batch. With <see cref="QuantizerSet.Enabled"/> off it is a float training step, which the
/// benchmark times against the quantization-aware one.
/// </summary>
internal sealed class DistillSession : IDisposable
{
    /// <summary>
    /// Adam's learning rate for the weights, in units of each weight's post-training quantization step
    /// (<see cref="QuantizerSet"/>): a thousand steps that agree move a weight by about one quantization step, while
    /// the noise of single-sample steps stays a small fraction of one. For the logarithms of the scales: relative steps.
    /// </summary>
    public const double WeightLearningRate = 1e-3;
    public const double ScaleLearningRate = 1e-3;

    private readonly OnnxGraph _graph;
    private readonly DistillTargets _targets;
    private readonly List<Dictionary<string, Tensor>> _batches;
    private readonly List<Tensor[]> _teacher;
    private readonly List<Dictionary<string, Tensor>> _heldOut;
    private readonly List<Tensor[]> _heldOutTeacher;
    private readonly LabelLoss? _labelLoss;
    private readonly Adam _weightOptimizer;
    private readonly Adam _scaleOptimizer;

    public DistillSession(RetrainInput input)
    {
        _graph = new OnnxGraph(input.Model, input.ModelPath);
        Quantizers = new QuantizerSet(_graph, input.Factors, input.Plan, input.Weights, input.WeightBits);
        _targets = DistillTargets.Of(input.Model);
        _batches = TrainingBatches.Merge(_graph,
            input.Batches.Select(b => b.ToDictionary(p => p.Key, p => TorchTensors.FromProto(p.Value, input.ModelPath))).ToList(),
            out var group);
        _heldOut = TrainingBatches.Merge(_graph,
            input.HeldOut.Select(b => b.ToDictionary(p => p.Key, p => TorchTensors.FromProto(p.Value, input.ModelPath))).ToList());
        Quantizers.Enabled = false;
        _teacher = TeacherOutputs(_batches);
        _heldOutTeacher = TeacherOutputs(_heldOut);
        Quantizers.Enabled = true;
        _labelLoss = input.Labels is { } labels && _teacher.Count > 0
            ? LabelLoss.Create(labels, group, _teacher[0], _targets.AreLogits, input.ModelPath)
            : null;
        _weightOptimizer = optim.Adam(Quantizers.WeightParameters, WeightLearningRate);
        _scaleOptimizer = optim.Adam(Quantizers.ScaleParameters, ScaleLearningRate);
    }

    public QuantizerSet Quantizers { get; }

    public int BatchCount => _batches.Count;

    public bool HasHeldOut => _heldOut.Count > 0;

    /// <summary>The student's mean loss over the held-out batches (no training).</summary>
    public double HeldOutLoss()
    {
        using var noGrad = no_grad();
        var losses = new List<double>(_heldOut.Count);
        for (var i = 0; i < _heldOut.Count; i++)
        {
            // One scope per batch: a forward's activations are native memory the garbage collector does not see.
            using var scope = NewDisposeScope();
            losses.Add(Loss(_graph.Run(_heldOut[i], _targets.Values, Quantizers), _heldOutTeacher[i]).item<float>());
        }
        return losses.Average();
    }

    /// <summary>One forward, backward and optimizer step on batch <paramref name="batch"/>; returns its loss.</summary>
    public double Step(int batch)
    {
        using var scope = NewDisposeScope();
        _weightOptimizer.zero_grad();
        _scaleOptimizer.zero_grad();
        var student = _graph.Run(_batches[batch], _targets.Values, Quantizers);
        var loss = Loss(student, _teacher[batch]);
        if (_labelLoss is not null)
        {
            loss += _labelLoss.Of(student, batch);
        }
        loss.backward();
        _weightOptimizer.step();
        if (Quantizers.Enabled)
        {
            _scaleOptimizer.step();
        }
        return loss.item<float>();
    }

    public void Dispose()
    {
        _weightOptimizer.Dispose();
        _scaleOptimizer.Dispose();
        foreach (var tensor in _batches.Concat(_heldOut).SelectMany(b => b.Values).Concat(_teacher.Concat(_heldOutTeacher).SelectMany(t => t)))
        {
            tensor.Dispose();
        }
        _labelLoss?.Dispose();
        Quantizers.Dispose();
        _graph.Dispose();
    }

    /// <summary>The float model's outputs on each batch (the quantizers must be off).</summary>
    private List<Tensor[]> TeacherOutputs(List<Dictionary<string, Tensor>> batches)
    {
        using var noGrad = no_grad();
        var outputs = new List<Tensor[]>(batches.Count);
        foreach (var batch in batches)
        {
            // One scope per batch, the kept outputs moved out of it: without it every forward's activations stayed
            // alive until the garbage collector ran, and SqueezeNet's 100 one-photo batches took 23 GB.
            using var scope = NewDisposeScope();
            outputs.Add(_graph.Run(batch, _targets.Values, Quantizers).Select(t => t.detach().clone().MoveToOuterDisposeScope()).ToArray());
        }
        return outputs;
    }

    /// <summary>KL(teacher ‖ student) over the last axis, summed over classes, averaged over the other axes.</summary>
    private static Tensor KlDivergence(Tensor teacherLogits, Tensor studentLogits)
    {
        var teacher = F.log_softmax(teacherLogits, -1);
        return (teacher.exp() * (teacher - F.log_softmax(studentLogits, -1))).sum(-1).mean();
    }

    private Tensor Loss(Tensor[] student, Tensor[] teacher)
    {
        Tensor? total = null;
        for (var i = 0; i < student.Length; i++)
        {
            // KL over class scores ([batch, classes], more than one); otherwise (an embedding, a feature map, a single
            // score, whose KL would be 0) mean squared error.
            var term = _targets.AreLogits[i] && LabelLoss.IsClassScores(student[i])
                ? KlDivergence(teacher[i], student[i])
                : F.mse_loss(student[i], teacher[i]);
            total = total is null ? term : total + term;
        }
        return total ?? throw new AmctException(ErrorCodes.RetrainUnsupportedOp, "Retrain", "the model has no output to distill");
    }
}
