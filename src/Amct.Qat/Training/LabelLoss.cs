using Amct.Engine;
using Amct.Engine.Retraining;
using Amct.Qat.Interpreter;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Amct.Qat.Training;

/// <summary>
/// The labels' part of Distill's loss (TrainingLabels): <see cref="Weight"/> × the cross-entropy of the student's class
/// scores with the training samples' labels, added to the distillation loss. It is scored on the first output that is
/// class scores ([batch, classes], taken before a final Softmax as the distillation loss takes it).
/// </summary>
internal sealed class LabelLoss : IDisposable
{
    /// <summary>
    /// Weight of the labels' cross-entropy against the distillation loss. At 1, KL(teacher ‖ student) + CE(label,
    /// student) = 2 CE(½ teacher + ½ one-hot label, student) − H(teacher): the student learns the average of the float
    /// model's class distribution and the label, so neither source outweighs the other, and both terms are in the
    /// same unit (nats per sample). The float model agrees with the labels on nearly every sample, so the labels mostly
    /// sharpen what distillation teaches; where they differ, the int8 model is pulled half-way toward the true class.
    /// </summary>
    public const double Weight = 1.0;

    private readonly List<Tensor> _labels;

    private LabelLoss(int output, List<Tensor> labels)
    {
        Output = output;
        _labels = labels;
    }

    /// <summary>Which of the distillation targets the labels score.</summary>
    public int Output { get; }

    /// <summary>
    /// The labels of <paramref name="labels"/> regrouped as the training batches were (<paramref name="group"/> engine
    /// batches per training batch), checked against the teacher's outputs on the first batch.
    /// </summary>
    /// <exception cref="AmctException">AMCT6006: no output is class scores; AMCT3017: a label beyond the classes.</exception>
    public static LabelLoss Create(TrainingLabels labels, int group, Tensor[] teacher, IReadOnlyList<bool> areLogits, string modelPath)
    {
        var output = Enumerable.Range(0, teacher.Length).FirstOrDefault(i => areLogits[i] && IsClassScores(teacher[i]), -1);
        if (output < 0)
        {
            throw new AmctException(ErrorCodes.TrainingLabelsNeedClassScores, modelPath,
                "TrainingLabels are given, but no output of the model is class scores ([batch, classes] with more than one " +
                $"class; the outputs have shapes {string.Join(", ", teacher.Select(Shape))}), " +
                "so there is nothing to score the labels against. Leave TrainingLabels out: Distill learns from the float model alone.");
        }
        var classes = teacher[output].shape[1];
        var grouped = TrainingBatches.Group(labels.PerBatch, group);
        var beyond = grouped.SelectMany(l => l).Select((label, index) => (label, index)).FirstOrDefault(p => p.label >= classes, (-1, -1));
        if (beyond.index >= 0)
        {
            throw new AmctException(ErrorCodes.LabelsInvalid, labels.Path,
                $"the label of training sample {beyond.index} is {beyond.label}, but the model's output has {classes} classes " +
                $"(0..{classes - 1}). Check that TrainingLabels belong to the training data and this model.");
        }
        return new LabelLoss(output, grouped.Select(l => tensor(l, ScalarType.Int64)).ToList());
    }

    /// <summary>The weighted cross-entropy of the student's outputs on batch <paramref name="batch"/> with its labels.</summary>
    public Tensor Of(Tensor[] student, int batch) => F.cross_entropy(student[Output], _labels[batch]) * Weight;

    public void Dispose()
    {
        foreach (var labels in _labels)
        {
            labels.Dispose();
        }
    }

    /// <summary>A shape as the model's inputs and outputs show it, the batch axis N: [N, 1].</summary>
    private static string Shape(Tensor t) => "[" + string.Join(", ", t.shape.Select((d, i) => i == 0 ? "N" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    /// <summary>Whether an output is class scores: [batch, classes], more than one class.</summary>
    public static bool IsClassScores(Tensor t) => t.dim() == 2 && t.shape[1] > 1;
}
