using Amct.Engine.Quantization;

namespace Amct.Engine.Evaluation;

/// <summary>How closely one output of the quantized model follows the float model, over all evaluated samples.</summary>
public sealed record OutputAgreement(
    string Output,
    long Samples,
    double? Top1Agreement,
    double CosineMean,
    double CosineWorst,
    long CosineWorstSample,
    double SqnrDb,
    double MaxAbsError)
{
    /// <summary>The cosine similarity of every sample, in order (for choosing the worst samples; not reported).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<double> SampleCosines { get; init; } = [];
}

/// <summary>
/// Streams the comparison of one model output between the float and the quantized model: per-sample cosine
/// similarity (mean and worst), SQNR over all values, largest absolute error, and — for class-score outputs (one row
/// of scores per sample) — how often both models pick the same top class.
/// </summary>
/// <remarks>
/// An output of one value per sample (a VAD's speech probability, a wake word's score) has a per-sample cosine of 1
/// whenever both values have the same sign, which a probability always does: the mean would be 1 however wrong the
/// int8 model is, and the quality floor blind to it. For such an output the cosine is taken over the series instead
/// (the float model's values of all samples as one vector, the int8 model's as another); the mean and the worst are
/// that one figure, and the worst sample is the one with the largest absolute error.
/// </remarks>
public sealed class OutputComparison(string output, bool isClassScores)
{
    private long _samples;
    private long _agreements;
    private double _cosineSum;
    private double _cosineWorst = double.PositiveInfinity;
    private long _cosineWorstSample = -1;
    private double _signal;
    private double _noise;
    private double _maxAbsError;
    private long _maxAbsErrorSample = -1;
    private readonly List<double> _cosines = [];

    // The series of one-value samples (see remarks): still true while every sample had one value.
    private bool _oneValuePerSample = true;
    private double _seriesDot;
    private double _seriesQuantized;

    /// <summary>Adds a batch: <paramref name="samples"/> rows of equal length in each span.</summary>
    public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> quantized, int samples)
    {
        var row = reference.Length / samples;
        _oneValuePerSample &= row == 1;
        for (var s = 0; s < samples; s++)
        {
            var a = reference.Slice(s * row, row);
            var b = quantized.Slice(s * row, row);
            double dot = 0, normA = 0, normB = 0;
            for (var i = 0; i < row; i++)
            {
                dot += (double)a[i] * b[i];
                normA += (double)a[i] * a[i];
                normB += (double)b[i] * b[i];
                var error = (double)a[i] - b[i];
                _noise += error * error;
                if (_maxAbsErrorSample < 0 || Math.Abs(error) > _maxAbsError)
                {
                    _maxAbsErrorSample = _samples;
                }
                _maxAbsError = Math.Max(_maxAbsError, Math.Abs(error));
            }
            _signal += normA;
            _seriesDot += dot;
            _seriesQuantized += normB;
            var cosine = Cosine(dot, normA, normB);
            _cosineSum += cosine;
            _cosines.Add(cosine);
            if (cosine < _cosineWorst)
            {
                _cosineWorst = cosine;
                _cosineWorstSample = _samples;
            }
            if (isClassScores && ArgMax(a) == ArgMax(b))
            {
                _agreements++;
            }
            _samples++;
        }
    }

    public OutputAgreement Result()
    {
        var series = _oneValuePerSample && _samples > 0 ? Cosine(_seriesDot, _signal, _seriesQuantized) : (double?)null;
        return new(
            output,
            _samples,
            isClassScores && _samples > 0 ? (double)_agreements / _samples : null,
            series ?? (_samples > 0 ? _cosineSum / _samples : double.NaN),
            series ?? _cosineWorst,
            series is null ? _cosineWorstSample : _maxAbsErrorSample,
            Sqnr.Db(_signal, _noise),
            _maxAbsError)
        {
            SampleCosines = _cosines,
        };
    }

    /// <summary>Two all-zero vectors agree perfectly; an all-zero vector against a non-zero one does not.</summary>
    private static double Cosine(double dot, double normA, double normB) =>
        normA == 0 && normB == 0 ? 1 : normA == 0 || normB == 0 ? 0 : dot / Math.Sqrt(normA * normB);

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }
}
