using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Amct.Engine;
using Amct.Engine.Settings;

namespace Amct.Build.Tasks.Settings;

/// <summary>
/// The checked settings of one AmctModel. Values come from item metadata (which the ItemDefinitionGroup defaults from
/// the Amct* properties); an empty value means "not set" and leaves the engine default. Every problem is collected as
/// a coded diagnostic at the project file, so one build reports all of them.
/// </summary>
internal sealed class ModelSettings
{
    private readonly Dictionary<Setting, object> _values = new();

    private ModelSettings()
    {
    }

    /// <summary>The checked value of a setting: string (Choice, File, Data, Text), long (Count), bool, double (Number, Fraction) or string[] (List); null if unset.</summary>
    public object? this[Setting spec] => _values.TryGetValue(spec, out var value) ? value : null;

    public bool Enabled => this[SettingList.Enabled] as bool? ?? true;
    public bool KeepFloatModel => this[SettingList.KeepFloatModel] as bool? ?? true;
    public bool CopyRecordAndReport => this[SettingList.CopyRecordAndReport] as bool? ?? false;
    public string CopyToOutputDirectory => this[SettingList.CopyToOutputDirectory] as string ?? "PreserveNewest";
    public string CopyToPublishDirectory => this[SettingList.CopyToPublishDirectory] as string ?? "PreserveNewest";
    public string? CalibrationData => this[SettingList.CalibrationData] as string;

    /// <param name="item">The item as written in the project, for messages.</param>
    /// <param name="metadata">Reads a metadata value; empty when unset.</param>
    /// <param name="projectDirectory">Relative paths are relative to it.</param>
    /// <param name="errorFile">Where problems are reported (the project file that declares the item).</param>
    /// <param name="diagnostics">Receives the problems.</param>
    public static ModelSettings Resolve(string item, Func<string, string> metadata, string projectDirectory, string errorFile,
        ICollection<Diagnostic> diagnostics)
    {
        var settings = new ModelSettings();
        foreach (var spec in SettingList.All.Where(s => s.InMSBuild))
        {
            var text = metadata(spec.Name).Trim();
            if (text.Length == 0)
            {
                continue;
            }
            var value = Parse(spec, text, projectDirectory, out var problem);
            if (problem is not null)
            {
                var source = spec.Property is { } property
                    ? $"the item's {spec.Name} metadata or the {property} property"
                    : $"the item's {spec.Name} metadata";
                diagnostics.Add(new Diagnostic(problem.Value.Code, errorFile,
                    $"AmctModel '{item}': {spec.Name} '{text}' ({source}) {problem.Value.Message}.", item, spec.Name));
            }
            else if (value is not null)
            {
                settings._values[spec] = value;
            }
        }
        // An imported QAT model (QatImport on) takes its trained factors, and a weight-only one (ActivationQuantization
        // none) calibrates nothing: neither needs calibration data.
        if (settings.Enabled && settings.CalibrationData is null && settings[SettingList.RecordInput] is null &&
            settings[SettingList.QatImport] is not "on" && settings[SettingList.ActivationQuantization] is not "none" &&
            !diagnostics.Any(d => d.Code == ErrorCodes.CalibrationDataMatchesNothing))
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.CalibrationDataMissing, errorFile,
                $"AmctModel '{item}' has no calibration data. Set its CalibrationData metadata to the sample file or " +
                "folder to calibrate on (.npy, .npz, a folder of them, or ONNX test_data_set folders), or RecordInput to an " +
                "AMCT record file with the quantization factors.", item));
        }
        return settings;
    }

    /// <summary>
    /// Reads a setting with the contract (<see cref="Setting.Parse"/>, the same rules as the command line), then resolves
    /// and checks paths against the project folder, which only the build can.
    /// </summary>
    private static object? Parse(Setting spec, string text, string projectDirectory, out (string Code, string Message)? problem)
    {
        problem = null;
        var value = spec.Parse(text, metadata: true, out var refused, out var message);
        if (refused is { } kind)
        {
            problem = (spec.MetadataErrorCode(kind), message!);
            return null;
        }
        switch (spec.Kind)
        {
            case SettingKind.File:
                var file = FullPath(text, projectDirectory);
                if (!System.IO.File.Exists(file))
                {
                    problem = (ErrorCodes.SettingFileNotFound, $"names a file that does not exist ({file})");
                }
                return file;
            case SettingKind.Data:
                return DataPath(spec, text, projectDirectory, out problem);
            default:
                return value;
        }
    }

    private static string DataPath(Setting spec, string text, string projectDirectory, out (string Code, string Message)? problem)
    {
        problem = null;
        var code = spec == SettingList.CalibrationData ? ErrorCodes.CalibrationDataMatchesNothing : ErrorCodes.SettingFileNotFound;
        if (text.IndexOfAny(['*', '?']) >= 0)
        {
            problem = (code, "holds a wildcard, which a data path cannot; put the sample files in one folder and name the folder");
            return text;
        }
        var path = FullPath(text, projectDirectory);
        if (System.IO.File.Exists(path))
        {
            return path;
        }
        if (!Directory.Exists(path))
        {
            problem = (code, $"matches nothing: no file or folder {path}");
        }
        else if (!Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Any())
        {
            problem = (code, $"matches nothing: the folder {path} holds no files");
        }
        return path;
    }

    private static string FullPath(string path, string projectDirectory) =>
        Path.GetFullPath(Path.Combine(projectDirectory, path.Replace('\\', Path.DirectorySeparatorChar)));

    /// <summary>
    /// Whether the worker reads the setting from the job file: the MSBuild settings that are also flags, except
    /// OutputName, which the task resolves ({name}) and passes itself.
    /// </summary>
    public static bool PassedToWorker(Setting setting) =>
        setting.InMSBuild && setting.OnCommandLine && setting != SettingList.OutputName;

    /// <summary>
    /// The settings the worker uses as stable text, one <c>name=value</c> line each, for the inputs cache: when the text
    /// changes the model is quantized again. Settings only the build uses (copying, Enabled) are left out, so changing
    /// them copies files but does not re-quantize.
    /// </summary>
    public string CanonicalText()
    {
        var text = new StringBuilder();
        foreach (var spec in SettingList.All.Where(PassedToWorker))
        {
            var value = this[spec] switch
            {
                null => "",
                string[] list => string.Join(";", list),
                var other => Setting.Format(other),
            };
            text.Append(spec.Name).Append('=').Append(value).Append('\n');
        }
        return text.ToString();
    }
}
