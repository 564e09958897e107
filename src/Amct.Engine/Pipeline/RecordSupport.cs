using Amct.Engine.Formats;

namespace Amct.Engine.Pipeline;

/// <summary>
/// Which record contents Amct.Build can honour when it rebuilds a model from a record. Everything a record says either
/// shapes the model or is refused with a code: nothing is silently ignored.
/// </summary>
internal static class RecordSupport
{
    /// <summary>Activation and output types: int8 only (AMCT's INT4 and INT16 modes need kernels ONNX Runtime lacks).</summary>
    private static readonly string[] ActivationTypes = ["INT8"];

    /// <summary>
    /// Weight types: AMCT stores its 6- and 7-bit weights (ARQ <c>quant_bits</c>) as INT8 with the scales that keep
    /// them in range, so applying the record's scale_w reproduces them.
    /// </summary>
    private static readonly string[] WeightTypes = ["INT8", "INT7", "INT6"];

    /// <summary>Throws the coded error for the first entry Amct.Build cannot apply.</summary>
    public static void Check(IReadOnlyList<LayerRecord> records, string recordPath)
    {
        foreach (var record in records)
        {
            CheckType(record, "dst_type", record.DstType, ActivationTypes, recordPath);
            CheckType(record, "act_type", record.ActType, ActivationTypes, recordPath);
            CheckType(record, "wts_type", record.WtsType, WeightTypes, recordPath);
        }
    }

    private static void CheckType(LayerRecord record, string field, string? value, string[] supported, string recordPath)
    {
        if (value is not null && !supported.Contains(value, StringComparer.OrdinalIgnoreCase))
        {
            throw new AmctException(ErrorCodes.RecordDataTypeUnsupported, Path.GetFullPath(recordPath),
                $"record '{record.Key}': {field}: \"{value}\" is not supported; Amct.Build quantizes to int8 only " +
                $"({field} may be {string.Join(", ", supported.Select(s => $"\"{s}\""))}). Quantize that layer with AMCT, " +
                "or calibrate it as int8 instead of using this record.");
        }
    }
}
