namespace Amct.Engine;

/// <summary>Errors in the files the Formats stage reads and writes: the AMCT record file and the AMCT JSON config.</summary>
public static partial class ErrorCodes
{
    // 1100-1119: the AMCT record file (ScaleOffsetRecord in protobuf text format).
    public const string RecordFileNotFound = "AMCT1101";
    public const string RecordSyntaxError = "AMCT1102";
    public const string RecordUnknownField = "AMCT1103";
    public const string RecordFieldUnsupported = "AMCT1104";
    public const string RecordBadValue = "AMCT1105";
    public const string RecordCountMismatch = "AMCT1106";
    public const string RecordMissingKey = "AMCT1107";
    public const string RecordDuplicateKey = "AMCT1108";

    // Applying a record to a model (--record).

    /// <summary>Warning: a record entry names no quantized layer, average pool or tensor of the model.</summary>
    public const string RecordUnknownKey = "AMCT1109";

    /// <summary>Warning: tensors the record gives no factors were calibrated, or kept in float without calibration data.</summary>
    public const string RecordTensorsNotCovered = "AMCT1110";

    /// <summary>A record's scale_w count is neither 1 nor the weight's number of output channels.</summary>
    public const string RecordWeightScaleCount = "AMCT1111";

    /// <summary>A record's dst_type, act_type or wts_type names a data type other than int8.</summary>
    public const string RecordDataTypeUnsupported = "AMCT1112";

    /// <summary>
    /// A record's tensor_balance_factor (AMCT's DMQ balancing) cannot be applied: a layer balancing does not handle, a
    /// count other than the input channels, or layers sharing an input with different factors.
    /// </summary>
    public const string RecordBalanceNotApplicable = "AMCT1113";

    // 1120-1139: the AMCT JSON quantization config (config.json of create_quant_config).
    public const string ConfigFileNotFound = "AMCT1120";
    public const string ConfigMalformedJson = "AMCT1121";
    public const string ConfigUnknownKey = "AMCT1122";
    public const string ConfigWrongType = "AMCT1123";
    public const string ConfigValueOutOfRange = "AMCT1124";
    public const string ConfigParameterNotForAlgorithm = "AMCT1125";
    public const string ConfigDuplicateKey = "AMCT1126";
    public const string ConfigUnsupported = "AMCT1127";

    /// <summary>A simplified config (.cfg, protobuf text format) that is not valid text format (line and column given).</summary>
    public const string ConfigSyntaxError = "AMCT1128";
}
