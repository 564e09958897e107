namespace Amct.Engine;

public static partial class ErrorCodes
{
    // 1200-1299: the MSBuild surface (AmctModel item metadata and Amct* properties). The target is the project file
    // that declares the item. The task (Amct.Build.Tasks) reports most of these itself before it starts the worker; it
    // compiles this one file (it must not reference the engine assembly), so both sides share one list of codes.

    /// <summary>A setting holds a value that is not one of its valid values (the message lists them).</summary>
    public const string SettingUnknownValue = "AMCT1201";

    /// <summary>A count setting (SampleCount, BatchSize) is not a whole number of at least 1.</summary>
    public const string SettingNotACount = "AMCT1202";

    /// <summary>A switch setting (Enabled, Fusion, KeepFloatModel…) is not true or false.</summary>
    public const string SettingNotABoolean = "AMCT1203";
    public const string SettingNotANumber = "AMCT1210";

    /// <summary>Warning: AmctModel metadata close to a setting's name, or an Amct* property that is no setting.</summary>
    public const string SettingNameUnknown = "AMCT1211";

    /// <summary>The AmctModel item names a model file that does not exist.</summary>
    public const string ItemModelNotFound = "AMCT1204";

    /// <summary>CalibrationData names a path that does not exist, or a folder without any file.</summary>
    public const string CalibrationDataMatchesNothing = "AMCT1205";

    /// <summary>An AmctModel has neither CalibrationData nor RecordInput.</summary>
    public const string CalibrationDataMissing = "AMCT1206";

    /// <summary>A file setting (ConfigFile, RecordInput, EvaluationData, EvaluationLabels, TrainingLabels, …) names a missing file.</summary>
    public const string SettingFileNotFound = "AMCT1207";

    /// <summary>Two AmctModel items would write the same output files.</summary>
    public const string OutputCollision = "AMCT1208";

    /// <summary>OutputName is empty after trimming or holds a path separator or a character file names cannot hold.</summary>
    public const string OutputNameInvalid = "AMCT1209";

    // 5100-5199: the worker process and its environment, as seen from the build.

    /// <summary>The amct worker (amct.dll) is not where the build looks for it.</summary>
    public const string WorkerNotFound = "AMCT5101";

    /// <summary>The .NET host (dotnet) that runs the worker was not found.</summary>
    public const string DotNetHostNotFound = "AMCT5102";

    /// <summary>The worker failed without reporting a coded error (a crash, a kill, an out-of-memory).</summary>
    public const string WorkerFailed = "AMCT5103";

    /// <summary>No .NET 8 or later runtime is installed for the worker to run on.</summary>
    public const string DotNetRuntimeMissing = "AMCT5104";

    /// <summary>The worker finished but its result file is missing or unreadable.</summary>
    public const string WorkerResultUnreadable = "AMCT5105";

    /// <summary>The worker cannot read the job file (damaged, or written by a different version of the task).</summary>
    public const string JobFileInvalid = "AMCT5106";
}
