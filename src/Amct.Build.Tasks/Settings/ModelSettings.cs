using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Amct.Engine;

namespace Amct.Build.Tasks.Settings;

/// <summary>
/// The checked settings of one AmctModel. Values come from item metadata (which the ItemDefinitionGroup defaults from
/// the Amct* properties); an empty value means "not set" and leaves the engine default. Every problem is collected as
/// a coded diagnostic at the project file, so one build reports all of them.
/// </summary>
internal sealed class ModelSettings
{
    private readonly Dictionary<SettingSpec, object> _values = new();

    private ModelSettings()
    {
    }

    /// <summary>The checked value of a setting: string (Choice, File, Data, Text), long (Count), bool or string[] (List); null if unset.</summary>
    public object? this[SettingSpec spec] => _values.TryGetValue(spec, out var value) ? value : null;

    public bool Enabled => this[SettingSpec.Enabled] as bool? ?? true;
    public bool KeepFloatModel => this[SettingSpec.KeepFloatModel] as bool? ?? true;
    public bool CopyRecordAndReport => this[SettingSpec.CopyRecordAndReport] as bool? ?? false;
    public string CopyToOutputDirectory => this[SettingSpec.CopyToOutputDirectory] as string ?? "PreserveNewest";
    public string CopyToPublishDirectory => this[SettingSpec.CopyToPublishDirectory] as string ?? "PreserveNewest";
    public string? CalibrationData => this[SettingSpec.CalibrationData] as string;

    /// <param name="item">The item as written in the project, for messages.</param>
    /// <param name="metadata">Reads a metadata value; empty when unset.</param>
    /// <param name="projectDirectory">Relative paths are relative to it.</param>
    /// <param name="errorFile">Where problems are reported (the project file that declares the item).</param>
    /// <param name="diagnostics">Receives the problems.</param>
    public static ModelSettings Resolve(string item, Func<string, string> metadata, string projectDirectory, string errorFile,
        ICollection<Diagnostic> diagnostics)
    {
        var settings = new ModelSettings();
        foreach (var spec in SettingSpec.All)
        {
            var text = metadata(spec.Metadata).Trim();
            if (text.Length == 0)
            {
                continue;
            }
            var value = Parse(spec, text, projectDirectory, out var problem);
            if (problem is not null)
            {
                var source = spec.Property is { } property
                    ? $"the item's {spec.Metadata} metadata or the {property} property"
                    : $"the item's {spec.Metadata} metadata";
                diagnostics.Add(new Diagnostic(problem.Value.Code, errorFile,
                    $"AmctModel '{item}': {spec.Metadata} '{text}' ({source}) {problem.Value.Message}."));
            }
            else if (value is not null)
            {
                settings._values[spec] = value;
            }
        }
        if (settings.Enabled && settings.CalibrationData is null && settings[SettingSpec.RecordInput] is null &&
            !diagnostics.Any(d => d.Code == ErrorCodes.CalibrationDataMatchesNothing))
        {
            diagnostics.Add(new Diagnostic(ErrorCodes.CalibrationDataMissing, errorFile,
                $"AmctModel '{item}' has no calibration data. Set its CalibrationData metadata to the sample file or " +
                "folder to calibrate on (.npy, .npz, a folder of them, or ONNX test_data_set folders), or RecordInput to an " +
                "AMCT record file with the quantization factors."));
        }
        return settings;
    }

    private static object? Parse(SettingSpec spec, string text, string projectDirectory, out (string Code, string Message)? problem)
    {
        problem = null;
        switch (spec.Kind)
        {
            case SettingKind.Choice:
                var choice = spec.Choose(text);
                if (choice is null)
                {
                    problem = (ErrorCodes.SettingUnknownValue, $"is not valid. Valid values: {spec.ValidValues}");
                }
                return choice;
            case SettingKind.Count:
                if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1 &&
                    (spec != SettingSpec.BatchSize || count <= int.MaxValue))
                {
                    return count;
                }
                problem = (ErrorCodes.SettingNotACount, "is not a whole number of at least 1");
                return null;
            case SettingKind.Boolean:
                if (bool.TryParse(text, out var flag))
                {
                    return flag;
                }
                problem = (ErrorCodes.SettingNotABoolean, "is not true or false");
                return null;
            case SettingKind.File:
                var file = FullPath(text, projectDirectory);
                if (!System.IO.File.Exists(file))
                {
                    problem = (ErrorCodes.SettingFileNotFound, $"names a file that does not exist ({file})");
                }
                return file;
            case SettingKind.Data:
                return DataPath(spec, text, projectDirectory, out problem);
            case SettingKind.Decimal or SettingKind.Fraction:
                // Passed on as invariant text; the worker reads it back the same way.
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) &&
                    !double.IsNaN(number) && !double.IsInfinity(number) &&
                    (spec.Kind == SettingKind.Decimal || (number >= 0 && number <= 1)))
                {
                    return number.ToString("R", CultureInfo.InvariantCulture);
                }
                problem = (ErrorCodes.SettingNotANumber, spec.Kind == SettingKind.Fraction
                    ? "is not a number between 0 and 1 (0.01 = one point)"
                    : "is not a number");
                return null;
            case SettingKind.List:
                var names = text.Split([';', ','], StringSplitOptions.RemoveEmptyEntries)
                    .Select(n => n.Trim()).Where(n => n.Length > 0).ToArray();
                return names.Length == 0 ? null : names;
            default:
                return text;
        }
    }

    private static string DataPath(SettingSpec spec, string text, string projectDirectory, out (string Code, string Message)? problem)
    {
        problem = null;
        var code = spec == SettingSpec.CalibrationData ? ErrorCodes.CalibrationDataMatchesNothing : ErrorCodes.SettingFileNotFound;
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
    /// The settings the worker uses as stable text, one <c>name=value</c> line each, for the inputs cache: when the text
    /// changes the model is quantized again. Settings only the build uses (copying, Enabled) are left out, so changing
    /// them copies files but does not re-quantize.
    /// </summary>
    public string CanonicalText()
    {
        var text = new StringBuilder();
        foreach (var spec in SettingSpec.All.Where(s => s.JobField is not null))
        {
            var value = this[spec] switch
            {
                null => "",
                bool b => b ? "true" : "false",
                long n => n.ToString(CultureInfo.InvariantCulture),
                string[] list => string.Join(";", list),
                var other => other.ToString(),
            };
            text.Append(spec.Metadata).Append('=').Append(value).Append('\n');
        }
        return text.ToString();
    }
}
