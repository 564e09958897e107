using Amct.Engine;
using Amct.Engine.Settings;

namespace Amct.Cli.Options;

/// <summary>
/// How a setting is named in an error: as a flag on the command line (<c>--weights 'x' is not valid…</c>, AMCT1002),
/// as AmctModel metadata in a job file, where the error lands on the project file (<c>WeightGranularity: 'x'…</c>,
/// AMCT12xx).
/// </summary>
internal sealed class SettingNaming
{
    private readonly bool _metadata;

    private SettingNaming(bool metadata) => _metadata = metadata;

    public static SettingNaming CommandLine { get; } = new(metadata: false);

    public static SettingNaming Metadata { get; } = new(metadata: true);

    public bool UsesMetadataNames => _metadata;

    public string Name(Setting setting) => _metadata ? setting.Name : "--" + setting.Flag;

    /// <summary>The engine's name for a data option key (its flag, "preset" for the preset).</summary>
    public string DataOptionName(string key) =>
        SettingList.ByFlag(key == "preset" ? "preprocess" : key) is { } setting ? Name(setting) : key;

    public AmctException Refused(Setting setting, string text, SettingProblem problem, string message) => _metadata
        ? new AmctException(setting.MetadataErrorCode(problem), setting.Name, $"'{text}' {message}.")
        : new AmctException(ErrorCodes.BadArgument, "amct", $"--{setting.Flag} '{text}' {message}.");
}
