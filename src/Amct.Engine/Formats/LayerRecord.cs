using System.Globalization;
using System.Text;

namespace Amct.Engine.Formats;

/// <summary>
/// One entry of an AMCT record file (<c>record { key: ... value { ... } }</c>): the quantization factors of one layer,
/// or of one tensor for a tensor-quantize entry. The fields are the union of AMCT's ONNX and PyTorch
/// <c>SingleLayerRecord</c>; a null or empty field was not set. <see cref="RecordRules"/> says which values are valid.
/// </summary>
/// <param name="Key">The layer (ONNX node) name, or the tensor name when <see cref="IsTensorQuantize"/> is set.</param>
public sealed record LayerRecord(string Key)
{
    /// <summary>Activation scale (<c>scale_d</c>), one per tensor.</summary>
    public float? ScaleD { get; init; }

    /// <summary>Activation offset (<c>offset_d</c>), the int8 zero point, in [-128, 127].</summary>
    public int? OffsetD { get; init; }

    /// <summary>Weight scales (<c>scale_w</c>): one for per-tensor weights, one per output channel otherwise.</summary>
    public IReadOnlyList<float> ScaleW { get; init; } = [];

    /// <summary>Weight offsets (<c>offset_w</c>), one per weight scale; always 0, AMCT weights are symmetric.</summary>
    public IReadOnlyList<int> OffsetW { get; init; } = [];

    /// <summary>Shift factors (<c>shift_bit</c>), a field AMCT reserves and no longer writes.</summary>
    public IReadOnlyList<uint> ShiftBit { get; init; } = [];

    /// <summary>DMQ (SmoothQuant-style) balance factors (<c>tensor_balance_factor</c>), one per input channel.</summary>
    public IReadOnlyList<float> TensorBalanceFactor { get; init; } = [];

    /// <summary>Whether the layer is left out of fusions (<c>skip_fusion</c>).</summary>
    public bool? SkipFusion { get; init; }

    /// <summary>Whether the entry quantizes a tensor (an input of MaxPool/Add) rather than a layer.</summary>
    public bool? IsTensorQuantize { get; init; }

    /// <summary>The quantized data type (<c>dst_type</c>, e.g. "INT8").</summary>
    public string? DstType { get; init; }

    /// <summary>The activation data type (<c>act_type</c>).</summary>
    public string? ActType { get; init; }

    /// <summary>The weight data type (<c>wts_type</c>).</summary>
    public string? WtsType { get; init; }

    // A record's generated equality compares lists by reference; two records with the same factors must be equal.
    public bool Equals(LayerRecord? other) =>
        other is not null
        && Key == other.Key
        && ScaleD.Equals(other.ScaleD)
        && OffsetD == other.OffsetD
        && ScaleW.SequenceEqual(other.ScaleW)
        && OffsetW.SequenceEqual(other.OffsetW)
        && ShiftBit.SequenceEqual(other.ShiftBit)
        && TensorBalanceFactor.SequenceEqual(other.TensorBalanceFactor)
        && SkipFusion == other.SkipFusion
        && IsTensorQuantize == other.IsTensorQuantize
        && DstType == other.DstType
        && ActType == other.ActType
        && WtsType == other.WtsType;

    public override int GetHashCode() => HashCode.Combine(Key, ScaleD, OffsetD, ScaleW.Count, OffsetW.Count);

    // Lists print their values, so a failed comparison shows what differs.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Key = {Key}, ScaleD = {ScaleD?.ToString("R", CultureInfo.InvariantCulture)}, OffsetD = {OffsetD}");
        builder.Append(CultureInfo.InvariantCulture, $", ScaleW = [{string.Join(", ", ScaleW.Select(Format))}], OffsetW = [{string.Join(", ", OffsetW)}]");
        builder.Append(CultureInfo.InvariantCulture, $", ShiftBit = [{string.Join(", ", ShiftBit)}], TensorBalanceFactor = [{string.Join(", ", TensorBalanceFactor.Select(Format))}]");
        builder.Append(CultureInfo.InvariantCulture, $", SkipFusion = {SkipFusion}, IsTensorQuantize = {IsTensorQuantize}, DstType = {DstType}, ActType = {ActType}, WtsType = {WtsType}");
        return true;
    }

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
