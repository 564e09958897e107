using System.Numerics;

namespace Amct.Engine.Quantization.Rounding;

/// <summary>
/// Rounding a weight matrix by its inputs' second moments (the Optimal Brain Quantization / GPTQ idea): rounding one
/// input column of W to the int grid leaves an error on the output, W·x changes by err·x_i; when the inputs are
/// correlated, part of that change can be taken back by adjusting the columns not yet rounded. With H = Σ x xᵀ over the
/// calibration inputs, the adjustment that minimises ‖(W' − W)X‖² is given by the inverse of H: after column i is
/// rounded, its scaled error err_i = (w_i − q_i·s) / U_ii moves every later column j by −err_i·U_ij, U being the upper
/// triangular factor of H⁻¹ (H⁻¹ = UᵀU). Columns are rounded in order, every row (output channel) at once, each row
/// on its own scale; the scales are those the weights stage chose, so only the int8 codes change.
/// </summary>
public static class HessianRounding
{
    /// <summary>
    /// Added to H's diagonal as a fraction of its mean: keeps H invertible when inputs are constant, dead or linearly
    /// dependent, and keeps the adjustments from chasing directions the calibration data barely shows.
    /// </summary>
    public const double Damping = 0.01;

    /// <summary>
    /// How many input vectors per input dimension the calibration data must give before H is trusted. From fewer than
    /// d vectors H is singular, and from barely more its small directions are noise: the compensation then moves the
    /// error into directions the calibration data happened not to show, and other data pays for it (measured on
    /// hey_jarvis: a 1,536-input Gemm seen on 28 samples lost 2 dB on its own calibration data).
    /// </summary>
    public const int MinVectorsPerInput = 10;

    /// <summary>
    /// The int codes of <paramref name="rows"/> rows of <paramref name="columns"/> weights, read through
    /// <paramref name="weight"/>(row, column); row r quantized on <paramref name="scales"/>[r] to
    /// [−2^(bits−1), 2^(bits−1)−1]. <paramref name="gram"/> is Σ x xᵀ over the inputs (columns × columns, row-major).
    /// Null when the inputs carry no signal (H is zero) or H cannot be factored even damped: round to nearest then.
    /// </summary>
    public static sbyte[,]? Round(Func<int, int, float> weight, int rows, int columns, IReadOnlyList<float> scales, double[] gram, int bits)
    {
        if (gram.Length != columns * columns || scales.Count != rows)
        {
            throw new ArgumentException($"a {columns}-column layer of {rows} rows needs {columns * columns} second moments and {rows} scales");
        }
        if (InverseFactor(gram, columns) is not { } factor)
        {
            return null;
        }
        var (low, high) = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1);
        var codes = new sbyte[rows, columns];
        var work = new double[rows][];
        for (var r = 0; r < rows; r++)
        {
            work[r] = new double[columns];
            for (var c = 0; c < columns; c++)
            {
                work[r][c] = weight(r, c);
            }
        }
        for (var i = 0; i < columns; i++)
        {
            var pivot = factor[(i * columns) + i];
            var later = factor.AsSpan((i * columns) + i + 1, columns - i - 1);
            for (var r = 0; r < rows; r++)
            {
                var scale = (double)scales[r];
                var q = Math.Clamp(Math.Round(work[r][i] / scale, MidpointRounding.ToEven), low, high);
                codes[r, i] = (sbyte)q;
                Subtract(work[r].AsSpan(i + 1), (work[r][i] - (q * scale)) / pivot, later);
            }
        }
        return codes;
    }

    /// <summary>
    /// The upper triangular U with UᵀU = (H + λI)⁻¹, λ = <see cref="Damping"/> × mean(diag H), row-major; null when H is
    /// zero or not positive definite even with ten and a hundred times the damping. H + λI is factored as R·Rᵀ with R
    /// upper triangular (Cholesky from the last row up); then (H + λI)⁻¹ = R⁻ᵀR⁻¹, so U = R⁻¹.
    /// </summary>
    public static double[]? InverseFactor(double[] gram, int n)
    {
        var meanDiagonal = 0.0;
        for (var i = 0; i < n; i++)
        {
            meanDiagonal += gram[(i * n) + i];
        }
        meanDiagonal /= n;
        if (!(meanDiagonal > 0) || !double.IsFinite(meanDiagonal))
        {
            return null;
        }
        for (var boost = 1.0; boost <= 100; boost *= 10)
        {
            if (UpperFactor(gram, n, boost * Damping * meanDiagonal) is { } r)
            {
                return InvertUpper(r, n);
            }
        }
        return null;
    }

    /// <summary>R upper triangular with R·Rᵀ = H + λI, or null when a pivot is not positive.</summary>
    private static double[]? UpperFactor(double[] gram, int n, double lambda)
    {
        var r = new double[n * n];
        for (var j = n - 1; j >= 0; j--)
        {
            var rowJ = r.AsSpan((j * n) + j + 1, n - j - 1);
            var pivot = gram[(j * n) + j] + lambda - Dot(rowJ, rowJ);
            if (!(pivot > 0))
            {
                return null;
            }
            var diagonal = Math.Sqrt(pivot);
            r[(j * n) + j] = diagonal;
            for (var i = 0; i < j; i++)
            {
                r[(i * n) + j] = (gram[(i * n) + j] - Dot(r.AsSpan((i * n) + j + 1, n - j - 1), rowJ)) / diagonal;
            }
        }
        return r;
    }

    /// <summary>R⁻¹ of an upper triangular R, row by row from the last: row i is (e_i − Σ_{k&gt;i} R_ik·row k) / R_ii.</summary>
    private static double[] InvertUpper(double[] r, int n)
    {
        var u = new double[n * n];
        for (var i = n - 1; i >= 0; i--)
        {
            var row = u.AsSpan(i * n, n);
            row[i] = 1;
            for (var k = i + 1; k < n; k++)
            {
                Subtract(row[k..], r[(i * n) + k], u.AsSpan((k * n) + k, n - k));
            }
            var diagonal = r[(i * n) + i];
            for (var j = i; j < n; j++)
            {
                row[j] /= diagonal;
            }
        }
        return u;
    }

    /// <summary>target −= factor · source, element by element (SIMD where the hardware has it).</summary>
    private static void Subtract(Span<double> target, double factor, ReadOnlySpan<double> source)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<double>(factor);
            for (; i <= target.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                (new Vector<double>(target[i..]) - (f * new Vector<double>(source[i..]))).CopyTo(target[i..]);
            }
        }
        for (; i < target.Length; i++)
        {
            target[i] -= factor * source[i];
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var i = 0;
        var total = 0.0;
        if (Vector.IsHardwareAccelerated)
        {
            var sum = Vector<double>.Zero;
            for (; i <= a.Length - Vector<double>.Count; i += Vector<double>.Count)
            {
                sum += new Vector<double>(a[i..]) * new Vector<double>(b[i..]);
            }
            total = Vector.Sum(sum);
        }
        for (; i < a.Length; i++)
        {
            total += a[i] * b[i];
        }
        return total;
    }
}
