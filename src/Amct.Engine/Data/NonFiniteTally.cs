using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Amct.Engine.Onnx;

namespace Amct.Engine.Data;

/// <summary>
/// Counts NaN and infinite values in floating-point rows as they are read. NaN or Inf in calibration data would
/// poison every range computed from it, so it is an error; the tally keeps counting after the first one so the
/// error can say how many there are and where they start.
/// </summary>
internal sealed class NonFiniteTally
{
    private readonly Dictionary<string, Found> _found = new(StringComparer.Ordinal);

    /// <summary>True while no row holds a NaN or infinity.</summary>
    public bool Clean => _found.Count == 0;

    /// <summary>Counts the non-finite values in one row of <paramref name="binding"/>'s input.</summary>
    public void Add(InputBinding binding, ReadOnlySpan<byte> row, long sampleIndex)
    {
        var (nan, infinite) = Count(row, binding.Input.ElementType);
        if (nan == 0 && infinite == 0)
        {
            return;
        }
        var found = _found.TryGetValue(binding.Input.Name, out var previous)
            ? previous with { NaN = previous.NaN + nan, Infinite = previous.Infinite + infinite }
            : new Found(binding.Array, nan, infinite, sampleIndex);
        _found[binding.Input.Name] = found;
    }

    /// <summary>Throws <see cref="ErrorCodes.DataNotFinite"/> when any row held a NaN or infinity.</summary>
    public void ThrowIfFound()
    {
        if (Clean)
        {
            return;
        }
        var first = _found.Values.MinBy(f => f.FirstSample)!;
        var details = string.Join("; ", _found.Select(pair =>
            $"input '{pair.Key}': {DataErrors.Count(pair.Value.NaN)} NaN and {DataErrors.Count(pair.Value.Infinite)} " +
            $"infinite values, the first in sample {DataErrors.Count(pair.Value.FirstSample)} ({pair.Value.Array.Label})"));
        throw new AmctException(ErrorCodes.DataNotFinite, first.Array.Path,
            $"the data holds values that are not finite ({details}). Ranges and accuracy computed from them are " +
            "meaningless; drop those samples or replace the values (numpy.nan_to_num) and save the data again.");
    }

    /// <summary>NaN and infinity counts of one row of the given element type; (0, 0) for non-floating types.</summary>
    public static (long NaN, long Infinite) Count(ReadOnlySpan<byte> row, int elementType) => elementType switch
    {
        DataTypes.Float => CountValues(MemoryMarshal.Cast<byte, float>(row)),
        DataTypes.Double => CountValues(MemoryMarshal.Cast<byte, double>(row)),
        // 16-bit floats by their bits: exponent all ones is NaN (non-zero mantissa) or infinity.
        DataTypes.Float16 => CountBits(row, exponentMask: 0x7C00, mantissaMask: 0x03FF),
        DataTypes.BFloat16 => CountBits(row, exponentMask: 0x7F80, mantissaMask: 0x007F),
        _ => (0, 0),
    };

    private static (long, long) CountValues<T>(ReadOnlySpan<T> values)
        where T : struct, System.Numerics.IFloatingPointIeee754<T>
    {
        long nan = 0, infinite = 0;
        foreach (var value in values)
        {
            if (!T.IsFinite(value))
            {
                if (T.IsNaN(value))
                {
                    nan++;
                }
                else
                {
                    infinite++;
                }
            }
        }
        return (nan, infinite);
    }

    private static (long, long) CountBits(ReadOnlySpan<byte> row, int exponentMask, int mantissaMask)
    {
        long nan = 0, infinite = 0;
        for (var i = 0; i + 1 < row.Length; i += 2)
        {
            var bits = BinaryPrimitives.ReadUInt16LittleEndian(row[i..]);
            if ((bits & exponentMask) == exponentMask)
            {
                if ((bits & mantissaMask) != 0)
                {
                    nan++;
                }
                else
                {
                    infinite++;
                }
            }
        }
        return (nan, infinite);
    }

    /// <param name="Array">The array holding the first non-finite value (later ones may be in other files).</param>
    private sealed record Found(RowArray Array, long NaN, long Infinite, long FirstSample);
}
