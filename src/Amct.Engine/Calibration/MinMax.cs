using System.Numerics;
using System.Runtime.InteropServices;

namespace Amct.Engine.Calibration;

/// <summary>Vectorized minimum and maximum of a span of floats.</summary>
public static class MinMax
{
    public static (float Min, float Max) Of(ReadOnlySpan<float> values)
    {
        var min = float.PositiveInfinity;
        var max = float.NegativeInfinity;
        var done = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
            var vMin = vectors[0];
            var vMax = vectors[0];
            foreach (var v in vectors[1..])
            {
                vMin = Vector.Min(vMin, v);
                vMax = Vector.Max(vMax, v);
            }
            for (var i = 0; i < Vector<float>.Count; i++)
            {
                min = Math.Min(min, vMin[i]);
                max = Math.Max(max, vMax[i]);
            }
            done = vectors.Length * Vector<float>.Count;
        }
        for (var i = done; i < values.Length; i++)
        {
            min = Math.Min(min, values[i]);
            max = Math.Max(max, values[i]);
        }
        return (min, max);
    }
}
