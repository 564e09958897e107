namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 10xx: job settings.
    public const string MissingSetting = "AMCT1003";
    public const string BadSettingValue = "AMCT1004";
    public const string UnknownLayerSetting = "AMCT1005";
    /// <summary>No longer raised (tensors a record does not cover are calibrated or kept float, AMCT1110); kept reserved.</summary>
    public const string RecordMissingFactors = "AMCT1006";
    public const string RecordConflictingFactors = "AMCT1007";

    /// <summary>The output name is not a plain file name (a folder part, a separator, NUL, or empty).</summary>
    public const string OutputNameNotPlain = "AMCT1008";

    // 30xx: calibration outcome.
    public const string NothingToQuantize = "AMCT3054";

    // 50xx: writing the outputs.

    /// <summary>An output path exists and is a folder, device, FIFO or socket: never replaced.</summary>
    public const string OutputNotRegularFile = "AMCT5002";

    /// <summary>The output folder is an existing file, or cannot be created.</summary>
    public const string OutputFolderInvalid = "AMCT5003";
}
