namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 10xx: job settings.
    public const string MissingSetting = "AMCT1003";
    public const string BadSettingValue = "AMCT1004";
    public const string UnknownLayerSetting = "AMCT1005";
    public const string RecordMissingFactors = "AMCT1006";
    public const string RecordConflictingFactors = "AMCT1007";

    // 30xx: calibration outcome.
    public const string NothingToQuantize = "AMCT3054";
}
