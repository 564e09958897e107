using System.Globalization;

namespace Amct.Engine.Formats;

/// <summary>What is wrong with one field of a layer record: the error code, the field's name in the file, the problem.</summary>
internal sealed record RecordProblem(string Code, string Field, string Message);

/// <summary>
/// The values a layer record may hold, checked the same way when a record file is read and when one is written, so
/// Amct.Build never writes a file it would refuse to read. The limits are AMCT's: int8 offsets, symmetric weights
/// (<c>offset_w</c> is always 0) and scales whose reciprocal (the factor AscendQuant multiplies by) is a finite float.
/// </summary>
internal static class RecordRules
{
    /// <summary>The first problem of the record, or null when it is valid.</summary>
    public static RecordProblem? FindProblem(LayerRecord record)
    {
        if (string.IsNullOrEmpty(record.Key))
        {
            return new RecordProblem(ErrorCodes.RecordMissingKey, "key",
                "the record has no key; every record names the layer (or tensor) it belongs to in key: \"<name>\".");
        }
        if (record.ScaleD is { } scaleD && ScaleProblem(scaleD) is { } scaleDProblem)
        {
            return BadValue("scale_d", $"scale_d {Text(scaleD)} {scaleDProblem}");
        }
        if (record.OffsetD is < -128 or > 127)
        {
            return BadValue("offset_d", $"offset_d {record.OffsetD} is outside the int8 range [-128, 127].");
        }
        for (var i = 0; i < record.ScaleW.Count; i++)
        {
            if (ScaleProblem(record.ScaleW[i]) is { } scaleWProblem)
            {
                return BadValue("scale_w", $"scale_w #{i + 1} {Text(record.ScaleW[i])} {scaleWProblem}");
            }
        }
        for (var i = 0; i < record.OffsetW.Count; i++)
        {
            if (record.OffsetW[i] != 0)
            {
                return BadValue("offset_w", $"offset_w #{i + 1} is {record.OffsetW[i]}, but AMCT quantizes weights " +
                    "symmetrically and supports only offset_w: 0. Set it to 0.");
            }
        }
        if (record.OffsetW.Count != record.ScaleW.Count)
        {
            return new RecordProblem(ErrorCodes.RecordCountMismatch, "offset_w",
                $"the record has {record.ScaleW.Count} scale_w and {record.OffsetW.Count} offset_w values; write one " +
                "offset_w: 0 for each scale_w.");
        }
        for (var i = 0; i < record.TensorBalanceFactor.Count; i++)
        {
            var factor = record.TensorBalanceFactor[i];
            if (!float.IsFinite(factor) || factor <= 0)
            {
                return BadValue("tensor_balance_factor", $"tensor_balance_factor #{i + 1} {Text(factor)} is not a " +
                    "positive finite number.");
            }
        }
        return null;
    }

    /// <summary>Why a scale is unusable, or null when it is fine.</summary>
    private static string? ScaleProblem(float scale) =>
        !float.IsFinite(scale) ? "is not a finite number; a scale must be a positive finite number."
        : scale <= 0 ? "is not positive; a scale must be a positive finite number."
        : !float.IsFinite(1 / scale) ? "is so small that its reciprocal overflows a float; the range it came from is degenerate."
        : null;

    private static RecordProblem BadValue(string field, string message) => new(ErrorCodes.RecordBadValue, field, message);

    private static string Text(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
