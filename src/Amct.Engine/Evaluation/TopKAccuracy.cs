namespace Amct.Engine.Evaluation;

/// <summary>Top-1 and top-5 accuracy of one model against labels.</summary>
public sealed record Accuracy(long Samples, double Top1, double Top5);

/// <summary>
/// Streams top-1/top-5 accuracy of class scores against integer labels. A label outside the output's classes is an
/// error at <paramref name="source"/> (the evaluation's model or data), as only here is the class count known.
/// </summary>
public sealed class TopKAccuracy(string source)
{
    private long _samples;
    private long _top1;
    private long _top5;

    /// <param name="scores">Rows of class scores, one per sample.</param>
    /// <param name="samples">How many rows.</param>
    /// <param name="labels">The labels of these samples.</param>
    public void Add(ReadOnlySpan<float> scores, int samples, ReadOnlySpan<long> labels)
    {
        var classes = scores.Length / samples;
        for (var s = 0; s < samples; s++)
        {
            var row = scores.Slice(s * classes, classes);
            var label = labels[s];
            if (label < 0 || label >= classes)
            {
                throw new AmctException(ErrorCodes.LabelsInvalid, source,
                    $"the label of sample {_samples} is {label}, but the model's output has {classes} classes " +
                    $"(0..{classes - 1}). Check that the labels belong to this data and this model.");
            }
            // Rank of the true class: how many classes score strictly higher.
            var higher = 0;
            for (var c = 0; c < classes; c++)
            {
                if (row[c] > row[(int)label])
                {
                    higher++;
                }
            }
            _top1 += higher == 0 ? 1 : 0;
            _top5 += higher < 5 ? 1 : 0;
            _samples++;
        }
    }

    public Accuracy Result() => new(_samples, _samples > 0 ? (double)_top1 / _samples : double.NaN,
        _samples > 0 ? (double)_top5 / _samples : double.NaN);
}
