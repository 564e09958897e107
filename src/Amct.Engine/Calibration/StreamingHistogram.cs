using System.Numerics;
using System.Runtime.InteropServices;

namespace Amct.Engine.Calibration;

/// <summary>
/// A histogram of every value seen, in a fixed number of bins, that grows its range as new batches arrive, so memory is
/// O(bins) however many samples are observed (ONNX Runtime's histogram calibrators and AMCT's IFMR keep every value).
/// The range only ever doubles, anchored at one end, so old bins merge exactly pairwise into new ones: growing never
/// smears counts. The price is resolution: the data covers at least half of the range, so at least
/// <see cref="Bins"/>/2 bins span the observed values.
/// </summary>
public sealed class StreamingHistogram
{
    public const int Bins = 8192;

    private readonly long[] _counts = new long[Bins];
    private readonly int[] _batchCounts = new int[Bins];
    private double _low;
    private double _width;
    private bool _hasRange;

    public double Min { get; private set; } = double.PositiveInfinity;
    public double Max { get; private set; } = double.NegativeInfinity;
    public long Count { get; private set; }

    /// <summary>
    /// How many values were exactly 0 (ReLU outputs, padding). Every int8 grid holds 0 exactly, so these carry no
    /// quantization error; bins cannot tell them from small values, so they are counted apart.
    /// </summary>
    public long Zeros { get; private set; }

    /// <summary>Lower edge of bin 0.</summary>
    public double Low => _low;

    /// <summary>Width of one bin (0 until a non-constant batch was seen).</summary>
    public double BinWidth => _width;

    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Adds a batch of values (all finite; the data layer rejects NaN/Inf).</summary>
    public void Add(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            return;
        }
        var (batchMin, batchMax) = MinMax.Of(values);
        Min = Math.Min(Min, batchMin);
        Max = Math.Max(Max, batchMax);
        Count += values.Length;
        if (!_hasRange)
        {
            if (Min == Max)
            {
                // A constant so far: nothing to bin against yet. Counted once a range exists.
                _pendingConstant += values.Length;
                _constant = Min;
                Zeros += Min == 0 ? values.Length : 0;
                return;
            }
            StartRange(Min, Max);
        }
        Cover(batchMin, batchMax);
        Accumulate(values);
    }

    private long _pendingConstant;
    private double _constant;

    /// <summary>False while every value seen was the same constant (then only Min/Max/Count are meaningful).</summary>
    public bool HasRange => _hasRange;

    private void StartRange(double min, double max)
    {
        // A little headroom so the first batch's extremes do not force an immediate doubling.
        var span = (max - min) * 1.0625;
        _low = min - (span - (max - min)) / 2;
        _width = span / Bins;
        _hasRange = true;
        if (_pendingConstant > 0)
        {
            // Values seen while everything was one constant.
            _counts[BinOf(_constant)] += _pendingConstant;
            _pendingConstant = 0;
        }
    }

    /// <summary>Doubles the range, anchored at the end away from the new data, until it covers [min, max].</summary>
    private void Cover(double min, double max)
    {
        while (max >= _low + _width * Bins)
        {
            // Grow upwards: bins 2k and 2k+1 merge into bin k.
            for (var k = 0; k < Bins / 2; k++)
            {
                _counts[k] = _counts[2 * k] + _counts[(2 * k) + 1];
            }
            Array.Clear(_counts, Bins / 2, Bins / 2);
            _width *= 2;
        }
        while (min < _low)
        {
            // Grow downwards: the old range becomes the upper half.
            for (var k = Bins - 1; k >= Bins / 2; k--)
            {
                var source = (2 * k) - Bins;
                _counts[k] = _counts[source] + _counts[source + 1];
            }
            Array.Clear(_counts, 0, Bins / 2);
            _low -= _width * Bins;
            _width *= 2;
        }
    }

    private int BinOf(double value) => Math.Clamp((int)((value - _low) / _width), 0, Bins - 1);

    private void Accumulate(ReadOnlySpan<float> values)
    {
        // Batch counts in int (no overflow: a batch tensor has < 2^31 elements), then folded into the long totals.
        var counts = _batchCounts;
        var scale = (float)(1.0 / _width);
        var low = (float)_low;
        var vectorized = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var vScale = new Vector<float>(scale);
            var vLow = new Vector<float>(low);
            var vMax = new Vector<int>(Bins - 1);
            var lanes = Vector<float>.Count;
            Span<int> indices = stackalloc int[Vector<int>.Count];
            var floats = MemoryMarshal.Cast<float, Vector<float>>(values);
            var zeros = Vector<int>.Zero;
            foreach (var chunk in floats)
            {
                // Equals gives −1 in the lanes that are 0.
                zeros -= Vector.Equals(chunk, Vector<float>.Zero);
                var index = Vector.ConvertToInt32((chunk - vLow) * vScale);
                index = Vector.Min(Vector.Max(index, Vector<int>.Zero), vMax);
                index.CopyTo(indices);
                for (var i = 0; i < lanes; i++)
                {
                    counts[indices[i]]++;
                }
            }
            vectorized = floats.Length * lanes;
            Zeros += Vector.Sum(zeros);
        }
        for (var i = vectorized; i < values.Length; i++)
        {
            counts[Math.Clamp((int)((values[i] - low) * scale), 0, Bins - 1)]++;
            Zeros += values[i] == 0 ? 1 : 0;
        }
        for (var k = 0; k < Bins; k++)
        {
            _counts[k] += counts[k];
        }
        Array.Clear(counts);
    }
}
