using System.Globalization;

namespace Amct.Engine.Data.Images;

/// <summary>
/// value = (pixel × scale − mean[c]) / std[c], per tensor channel c. Computed in double and rounded once to the
/// element type, so the result is the correctly rounded value of the formula.
/// </summary>
internal sealed class Normalization
{
    private readonly double[] _mean;
    private readonly double[] _std;

    /// <param name="scale">Multiplies the 0..255 pixel first.</param>
    /// <param name="mean">One value per channel (already expanded from a single value).</param>
    /// <param name="std">One non-zero value per channel.</param>
    public Normalization(double scale, double[] mean, double[] std)
    {
        Scale = scale;
        _mean = mean;
        _std = std;
    }

    public double Scale { get; }

    public IReadOnlyList<double> Mean => _mean;

    public IReadOnlyList<double> Std => _std;

    public int Channels => _mean.Length;

    public double Value(int channel, byte pixel) => ((pixel * Scale) - _mean[channel]) / _std[channel];

    public string Describe() =>
        $"scale {Number(Scale)}, mean [{string.Join(",", _mean.Select(Number))}], std [{string.Join(",", _std.Select(Number))}]";

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
