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
    private readonly List<double> _cosines = [];

    /// <summary>Adds a batch: <paramref name="samples"/> rows of equal length in each span.</summary>
    public void Add(ReadOnlySpan<float> reference, ReadOnlySpan<float> quantized, int samples)
    {
        var row = reference.Length / samples;
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
                _maxAbsError = Math.Max(_maxAbsError, Math.Abs(error));
            }
            _signal += normA;
            // Two all-zero rows agree perfectly; one all-zero row against a non-zero one does not.
            var cosine = normA == 0 && normB == 0 ? 1 : normA == 0 || normB == 0 ? 0 : dot / Math.Sqrt(normA * normB);
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

    public OutputAgreement Result() => new(
        output,
        _samples,
        isClassScores && _samples > 0 ? (double)_agreements / _samples : null,
        _samples > 0 ? _cosineSum / _samples : double.NaN,
        _cosineWorst,
        _cosineWorstSample,
        Sqnr.Db(_signal, _noise),
        _maxAbsError)
    {
        SampleCosines = _cosines,
    };

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
