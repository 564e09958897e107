namespace Amct.Engine.Formats;

/// <summary>
/// Collects the fields of one record's <c>value { ... }</c> into a <see cref="LayerRecord"/>, with protobuf's merge
/// rules (which AMCT documents): a repeated field appends, a single field seen twice keeps the last value. Remembers
/// the line of each field's last occurrence, so a bad value found afterwards is reported where it is written.
/// </summary>
/// <param name="key">The record's key, the name of the layer or tensor.</param>
/// <param name="error">Makes the coded error for a field: code, field, problem.</param>
internal sealed class LayerRecordBuilder(string key, Func<string, TextField, string, AmctException> error)
{
    /// <summary>The fields a record value may hold (AMCT's ONNX and PyTorch <c>SingleLayerRecord</c>), for messages.</summary>
    public const string KnownFields = "scale_d, offset_d, scale_w, offset_w, shift_bit, tensor_balance_factor, " +
        "skip_fusion, is_tensor_quantize, dst_type, act_type, wts_type";

    private static readonly HashSet<string> KnownFieldSet = new(KnownFields.Split(", "), StringComparer.Ordinal);

    /// <summary>
    /// Fields of AMCT's <c>SingleLayerRecord</c> that Amct.Build cannot honour: RNN hidden-state and recurrent-weight
    /// factors (no RNN support) and the FP16 fake-quant precision mode.
    /// </summary>
    private static readonly HashSet<string> UnsupportedFields =
        new(["fakequant_precision_mode", "scale_h", "offset_h", "scale_r", "offset_r"], StringComparer.Ordinal);

    /// <summary>
    /// Caffe convert_model records (and PPQ's Ascend exporter) give the layer's input shape because that tool could not
    /// infer it; an ONNX model carries its shapes, so these are checked to be numbers and otherwise ignored.
    /// </summary>
    private static readonly HashSet<string> ShapeHintFields = new(["channels", "height", "width"], StringComparer.Ordinal);

    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);
    private readonly List<float> _scaleW = [];
    private readonly List<int> _offsetW = [];
    private readonly List<uint> _shiftBit = [];
    private readonly List<float> _balance = [];
    private float? _scaleD;
    private int? _offsetD;
    private bool? _skipFusion;
    private bool? _isTensorQuantize;
    private string? _dstType;
    private string? _actType;
    private string? _wtsType;

    /// <summary>The line where <paramref name="field"/> was last written, if it was.</summary>
    public int? LineOf(string field) => _lines.TryGetValue(field, out var line) ? line : null;

    public void Add(TextField field)
    {
        if (UnsupportedFields.Contains(field.Name))
        {
            RejectUnsupported(field);
            return;
        }
        if (!KnownFieldSet.Contains(field.Name) && !ShapeHintFields.Contains(field.Name))
        {
            throw error(ErrorCodes.RecordUnknownField, field,
                $"unknown field '{field.Name}' in the record value; a value holds {KnownFields}.");
        }
        if (field.Scalar is not { } scalar)
        {
            throw error(ErrorCodes.RecordBadValue, field, $"{field.Name} takes a value ({field.Name}: ...), not a block {{ ... }}.");
        }
        AmctException Fail(string problem) => error(ErrorCodes.RecordBadValue, field, $"{field.Name}: {problem}");
        switch (field.Name)
        {
            case "scale_d": _scaleD = TextScalars.ToFloat(scalar, Fail); break;
            case "offset_d": _offsetD = TextScalars.ToInt32(scalar, Fail); break;
            case "scale_w": _scaleW.Add(TextScalars.ToFloat(scalar, Fail)); break;
            case "offset_w": _offsetW.Add(TextScalars.ToInt32(scalar, Fail)); break;
            case "shift_bit": _shiftBit.Add(TextScalars.ToUInt32(scalar, Fail)); break;
            case "tensor_balance_factor": _balance.Add(TextScalars.ToFloat(scalar, Fail)); break;
            case "skip_fusion": _skipFusion = TextScalars.ToBool(scalar, Fail); break;
            case "is_tensor_quantize": _isTensorQuantize = TextScalars.ToBool(scalar, Fail); break;
            case "dst_type": _dstType = TextScalars.ToText(scalar, Fail); break;
            case "act_type": _actType = TextScalars.ToText(scalar, Fail); break;
            case "wts_type": _wtsType = TextScalars.ToText(scalar, Fail); break;
            default: TextScalars.ToUInt32(scalar, Fail); break; // a shape hint, see ShapeHintFields
        }
        _lines[field.Name] = field.Line;
    }

    public LayerRecord Build() => new(key)
    {
        ScaleD = _scaleD,
        OffsetD = _offsetD,
        ScaleW = _scaleW.ToArray(),
        OffsetW = _offsetW.ToArray(),
        ShiftBit = _shiftBit.ToArray(),
        TensorBalanceFactor = _balance.ToArray(),
        SkipFusion = _skipFusion,
        IsTensorQuantize = _isTensorQuantize,
        DstType = _dstType,
        ActType = _actType,
        WtsType = _wtsType,
    };

    private void RejectUnsupported(TextField field)
    {
        // AMCT writes fakequant_precision_mode: "DEFAULT" when it means "no special mode", which is what we do anyway.
        if (field.Name == "fakequant_precision_mode" && field.Scalar is { Kind: TokenKind.String, Text: "DEFAULT" })
        {
            return;
        }
        var (what, fix) = field.Name == "fakequant_precision_mode"
            ? ("FP16 fake-quant precision modes", "remove it or set it to \"DEFAULT\"")
            : ("RNN hidden-state and recurrent-weight factors", "remove it");
        throw error(ErrorCodes.RecordFieldUnsupported, field, $"{field.Name} is an AMCT field Amct.Build does not support ({what}); {fix}.");
    }
}
