using Amct.Engine.Quantization.Rounding;

namespace Amct.Engine.Tests.Quantization.Rounding;

/// <summary>The rounding math of WeightRounding=hessian, on matrices small enough to check by hand.</summary>
[TestClass]
public sealed class HessianRoundingTests
{
    /// <summary>
    /// 24 inputs that are mixtures of 6 sources (strongly correlated, as a layer's inputs are) and a 12 × 24 weight, each
    /// row on its own max|W|/127 scale. Rounding to nearest ignores the inputs; compensating each rounding error in the
    /// columns not yet rounded must leave a clearly smaller output error ‖(Wq − W)X‖² on the very inputs H came from.
    /// </summary>
    [TestMethod]
    public void Compensated_rounding_leaves_a_smaller_output_error_than_rounding_to_nearest()
    {
        const int rows = 12, columns = 24, samples = 500;
        var random = new Random(7);
        var mixing = Matrix(columns, 6, random);
        var x = new double[columns, samples];
        for (var s = 0; s < samples; s++)
        {
            var sources = Enumerable.Range(0, 6).Select(_ => Gaussian(random)).ToArray();
            for (var i = 0; i < columns; i++)
            {
                x[i, s] = Enumerable.Range(0, 6).Sum(k => mixing[i, k] * sources[k]) + (0.05 * Gaussian(random));
            }
        }
        var w = Matrix(rows, columns, random);
        var scales = Enumerable.Range(0, rows).Select(r => (float)(Enumerable.Range(0, columns).Max(c => Math.Abs(w[r, c])) / 127)).ToArray();
        var gram = new double[columns * columns];
        for (var i = 0; i < columns; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                gram[(i * columns) + j] = Enumerable.Range(0, samples).Sum(s => x[i, s] * x[j, s]);
            }
        }

        var compensated = HessianRounding.Round((r, c) => (float)w[r, c], rows, columns, scales, gram, bits: 8)!;
        var nearest = new sbyte[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                nearest[r, c] = (sbyte)Math.Clamp(Math.Round((float)w[r, c] / scales[r], MidpointRounding.ToEven), -128, 127);
            }
        }

        var nearestError = OutputError(nearest, w, scales, x);
        var compensatedError = OutputError(compensated, w, scales, x);
        Assert.IsLessThan(0.5 * nearestError, compensatedError, $"nearest {nearestError:G4}, compensated {compensatedError:G4}");
    }

    [TestMethod]
    public void The_factor_is_upper_triangular_and_its_square_inverts_the_damped_moments()
    {
        double[] gram = [4, 2, 1, 2, 5, 3, 1, 3, 6];
        var u = HessianRounding.InverseFactor(gram, 3)!;
        var lambda = HessianRounding.Damping * 5;
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                if (j < i)
                {
                    Assert.AreEqual(0, u[(i * 3) + j]);
                }
                // (H + λI) · UᵀU = I
                var product = 0.0;
                for (var k = 0; k < 3; k++)
                {
                    var inverse = Enumerable.Range(0, 3).Sum(m => u[(m * 3) + k] * u[(m * 3) + j]);
                    product += (gram[(i * 3) + k] + (i == k ? lambda : 0)) * inverse;
                }
                Assert.AreEqual(i == j ? 1 : 0, product, 1e-12, $"({i}, {j})");
            }
        }
    }

    [TestMethod]
    public void Inputs_without_signal_give_no_codes_and_the_caller_keeps_nearest() =>
        Assert.IsNull(HessianRounding.Round((_, _) => 0.5f, 2, 3, [0.01f, 0.01f], new double[9], bits: 8));

    /// <summary>
    /// Weights that lie on their own int8 grid (code × scale, computed in float as a model stores them) have no rounding
    /// error to make up, so whatever the inputs' statistics, every code is the nearest one. The float products sit up to
    /// half an ulp off the grid: the errors passed on are that small, never enough to move a later code.
    /// </summary>
    [TestMethod]
    public void Weights_on_their_grid_keep_their_codes_whatever_the_inputs()
    {
        const int rows = 8, columns = 40;
        var random = new Random(11);
        var scales = Enumerable.Range(0, rows).Select(_ => (float)(0.001 + (0.05 * random.NextDouble()))).ToArray();
        var codes = new sbyte[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                codes[r, c] = (sbyte)random.Next(-127, 128);
            }
        }
        // Strongly correlated inputs, so any error passed on is spread over many later columns.
        var mixing = Matrix(columns, 4, random);
        var gram = new double[columns * columns];
        for (var i = 0; i < columns; i++)
        {
            for (var j = 0; j < columns; j++)
            {
                gram[(i * columns) + j] = Enumerable.Range(0, 4).Sum(k => mixing[i, k] * mixing[j, k]) + (i == j ? 0.01 : 0);
            }
        }

        var rounded = HessianRounding.Round((r, c) => codes[r, c] * scales[r], rows, columns, scales, gram, bits: 8)!;

        CollectionAssert.AreEqual(codes.Cast<sbyte>().ToArray(), rounded.Cast<sbyte>().ToArray());
    }

    [TestMethod]
    public void Codes_stay_in_the_range_of_the_bits()
    {
        // Large compensations push later columns past the grid's end: they must clamp, not wrap.
        double[] gram = [1, 0.99, 0.99, 1];
        var codes = HessianRounding.Round((_, c) => c == 0 ? 1f : -1f, 1, 2, [1f / 7], gram, bits: 4)!;
        Assert.IsTrue(codes[0, 0] is >= -8 and <= 7 && codes[0, 1] is >= -8 and <= 7, $"{codes[0, 0]} {codes[0, 1]}");
    }

    private static double OutputError(sbyte[,] codes, double[,] w, float[] scales, double[,] x)
    {
        var (rows, columns, samples) = (w.GetLength(0), w.GetLength(1), x.GetLength(1));
        var total = 0.0;
        for (var r = 0; r < rows; r++)
        {
            for (var s = 0; s < samples; s++)
            {
                var difference = 0.0;
                for (var c = 0; c < columns; c++)
                {
                    difference += ((codes[r, c] * (double)scales[r]) - w[r, c]) * x[c, s];
                }
                total += difference * difference;
            }
        }
        return total;
    }

    private static double[,] Matrix(int rows, int columns, Random random)
    {
        var m = new double[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                m[r, c] = Gaussian(random);
            }
        }
        return m;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
