namespace Amct.Build.Tasks;

/// <summary>
/// The codes of the errors the task reports itself. The same codes are in the engine's ErrorCodes.Build.cs (the
/// worker uses some of them); the task keeps its own copy because it must not reference the engine assembly, which
/// would drag ONNX Runtime and Protobuf into MSBuild. The README lists them with what to do.
/// </summary>
internal static class AmctErrorCodes
{
    // 12xx: settings (AmctModel metadata, Amct* properties); reported at the project file.
    public const string SettingUnknownValue = "AMCT1201";
    public const string SettingNotACount = "AMCT1202";
    public const string SettingNotABoolean = "AMCT1203";
    public const string SettingNotANumber = "AMCT1210";
    public const string ItemModelNotFound = "AMCT1204";
    public const string CalibrationDataMatchesNothing = "AMCT1205";
    public const string CalibrationDataMissing = "AMCT1206";
    public const string SettingFileNotFound = "AMCT1207";
    public const string OutputCollision = "AMCT1208";
    public const string OutputNameInvalid = "AMCT1209";

    // 51xx: the worker and its environment.
    public const string WorkerNotFound = "AMCT5101";
    public const string DotNetHostNotFound = "AMCT5102";
    public const string WorkerFailed = "AMCT5103";
    public const string DotNetRuntimeMissing = "AMCT5104";
    public const string WorkerResultUnreadable = "AMCT5105";
}
