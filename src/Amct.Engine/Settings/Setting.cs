using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Amct.Engine.Settings;

// This folder is the one contract of every quantization setting (Setting.cs: what a setting is and how its text is
// read; SettingList.cs: every setting). It is plain C# with no dependencies, compiled as internal types into each
// assembly that reads settings: the MSBuild task (netstandard2.0, MSBuild's assemblies only; it compiles
// ErrorCodes.Build.cs the same way) checks AmctModel metadata with it and writes the job file in the CLI's vocabulary;
// the CLI builds its options and help from it and reads its command line and the job file through it; the engine
// checks a request's ranges with it.

/// <summary>How a setting's text is read and checked.</summary>
internal enum SettingKind
{
    /// <summary>One of a fixed list of names (case, '-' and '_' ignored: PerChannel = per-channel = per_channel).</summary>
    Choice,

    /// <summary>A whole number within the setting's range.</summary>
    Count,

    /// <summary>true or false. On the command line the flag alone means true.</summary>
    Boolean,

    /// <summary>A file path.</summary>
    File,

    /// <summary>Sample data: a file, a folder, a pattern, or name=path pairs for several inputs.</summary>
    Data,

    /// <summary>Names separated by ',' (MSBuild also takes ';').</summary>
    List,

    /// <summary>Free text the engine reads (a preset, a shape list).</summary>
    Text,

    /// <summary>A finite decimal number (invariant culture).</summary>
    Number,

    /// <summary>A decimal number between 0 and 1 (0.01 = one point of accuracy).</summary>
    Fraction,
}

/// <summary>Where a setting can be given.</summary>
[Flags]
internal enum SettingSurface
{
    /// <summary>An <c>amct quantize</c> flag, and so a key of the job file.</summary>
    CommandLine = 1,

    /// <summary>AmctModel metadata (and, unless per-model, an Amct* property).</summary>
    MSBuild = 2,

    /// <summary>Both: the task passes the value on to the worker.</summary>
    Both = CommandLine | MSBuild,
}

/// <summary>Why a setting's text was refused; each surface turns it into its own error code.</summary>
internal enum SettingProblem
{
    /// <summary>Not one of the valid choices.</summary>
    UnknownValue,

    /// <summary>Not a whole number in range.</summary>
    NotACount,

    /// <summary>Not true or false.</summary>
    NotABoolean,

    /// <summary>Not a finite number, or out of range.</summary>
    NotANumber,

    /// <summary>Empty, or holds characters no path or name can hold (NUL, line breaks).</summary>
    Empty,
}

/// <summary>One valid value of a choice setting: the command line's spelling and the MSBuild spelling.</summary>
internal sealed class SettingChoice
{
    public SettingChoice(string flagValue, string metadataValue)
    {
        FlagValue = flagValue;
        MetadataValue = metadataValue;
    }

    /// <summary>The command line's and the job file's spelling, e.g. per-channel.</summary>
    public string FlagValue { get; }

    /// <summary>The MSBuild spelling, e.g. PerChannel.</summary>
    public string MetadataValue { get; }
}

/// <summary>
/// One setting: its names on every surface, its kind, valid values and range, default and description. Parsing is
/// here too, so the task, the job file and the command line accept and refuse exactly the same text.
/// </summary>
internal sealed class Setting
{
    internal Setting(string name, string? flag, SettingKind kind, string defaultText, string description,
        SettingSurface surface = SettingSurface.Both, bool perModel = false, IReadOnlyList<SettingChoice>? choices = null,
        long minimum = 1, long maximum = long.MaxValue, string? negatedFlag = null)
    {
        Name = name;
        Flag = flag;
        Kind = kind;
        DefaultText = defaultText;
        Description = description;
        Surface = surface;
        PerModel = perModel;
        Choices = choices ?? Array.Empty<SettingChoice>();
        Minimum = minimum;
        Maximum = maximum;
        NegatedFlag = negatedFlag;
    }

    /// <summary>The AmctModel metadata name (and the property name without Amct), e.g. WeightGranularity.</summary>
    public string Name { get; }

    /// <summary>The command-line flag without dashes, e.g. weights; also the setting's key in the job file.</summary>
    public string? Flag { get; }

    public SettingKind Kind { get; }

    /// <summary>The default as the README and the help show it.</summary>
    public string DefaultText { get; }

    /// <summary>One line for the help and the README.</summary>
    public string Description { get; }

    public SettingSurface Surface { get; }

    /// <summary>Per-model inputs (data files) have no project-wide property.</summary>
    public bool PerModel { get; }

    public IReadOnlyList<SettingChoice> Choices { get; }

    /// <summary>The range of a <see cref="SettingKind.Count"/>.</summary>
    public long Minimum { get; }

    public long Maximum { get; }

    /// <summary>A kept-for-compatibility switch that sets a Boolean to false, e.g. no-fusion.</summary>
    public string? NegatedFlag { get; }

    public bool OnCommandLine => (Surface & SettingSurface.CommandLine) != 0;

    public bool InMSBuild => (Surface & SettingSurface.MSBuild) != 0;

    /// <summary>The project-wide property that supplies the default, e.g. AmctWeightGranularity; null if none.</summary>
    public string? Property => InMSBuild && !PerModel ? "Amct" + Name : null;

    /// <summary>The valid values in the MSBuild spelling or the command line's.</summary>
    public string ValidValues(bool metadata) =>
        string.Join(", ", Choices.Select(c => metadata ? c.MetadataValue : c.FlagValue));

    /// <summary>
    /// Reads a setting's text. The value is a string (Choice: the flag spelling; File, Data, Text), a long (Count),
    /// a bool (Boolean), a double (Decimal, Fraction) or a string[] (List). On failure <paramref name="problem"/> says
    /// why and <paramref name="message"/> completes a sentence such as "--weights 'x' ...".
    /// </summary>
    public object? Parse(string text, bool metadata, out SettingProblem? problem, out string? message)
    {
        problem = null;
        message = null;
        if (text.IndexOfAny(Unwritable) >= 0)
        {
            return Fail(SettingProblem.Empty, "holds a NUL character or a line break, which no path or name can hold",
                out problem, out message);
        }
        switch (Kind)
        {
            case SettingKind.Choice:
                var wanted = Simplify(text);
                foreach (var choice in Choices)
                {
                    if (Simplify(choice.FlagValue) == wanted || Simplify(choice.MetadataValue) == wanted)
                    {
                        return choice.FlagValue;
                    }
                }
                return Fail(SettingProblem.UnknownValue, $"is not valid. Valid values: {ValidValues(metadata)}", out problem, out message);
            case SettingKind.Count:
                if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) &&
                    count >= Minimum && count <= Maximum)
                {
                    return count;
                }
                return Fail(SettingProblem.NotACount, Maximum == long.MaxValue
                    ? $"is not a whole number of at least {Minimum}"
                    : $"is not a whole number from {Minimum} to {Maximum}", out problem, out message);
            case SettingKind.Boolean:
                return bool.TryParse(text.Trim(), out var flag) ? flag
                    : Fail(SettingProblem.NotABoolean, "is not true or false", out problem, out message);
            case SettingKind.Number:
            case SettingKind.Fraction:
                if (double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number) &&
                    !double.IsNaN(number) && !double.IsInfinity(number) &&
                    (Kind == SettingKind.Number || (number >= 0 && number <= 1)))
                {
                    return number;
                }
                return Fail(SettingProblem.NotANumber, Kind == SettingKind.Fraction
                    ? "is not a number between 0 and 1 (0.01 = one point)"
                    : "is not a number", out problem, out message);
            case SettingKind.List:
                var names = text.Split(metadata ? MetadataListSeparators : ListSeparators, StringSplitOptions.RemoveEmptyEntries)
                    .Select(n => n.Trim()).Where(n => n.Length > 0).ToArray();
                return names.Length == 0 ? null : names;
            default:
                // A path, data or text setting: empty means nothing to read (MSBuild treats empty as unset before this).
                return text.Trim().Length == 0
                    ? Fail(SettingProblem.Empty, Kind is SettingKind.File or SettingKind.Data
                        ? "is empty; give a path" : "is empty", out problem, out message)
                    : text;
        }
    }

    /// <summary>The AMCT12xx code of a problem where the setting is named as metadata (a build, a job file).</summary>
    public string MetadataErrorCode(SettingProblem problem) => problem switch
    {
        SettingProblem.NotACount => ErrorCodes.SettingNotACount,
        SettingProblem.NotABoolean => ErrorCodes.SettingNotABoolean,
        SettingProblem.NotANumber => ErrorCodes.SettingNotANumber,
        SettingProblem.Empty when Kind is SettingKind.File or SettingKind.Data => ErrorCodes.SettingFileNotFound,
        _ => ErrorCodes.SettingUnknownValue,
    };

    /// <summary>A parsed value as the command line (and the job file) writes it; the inverse of <see cref="Parse"/>.</summary>
    public static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        long n => n.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        string[] list => string.Join(",", list),
        _ => value.ToString() ?? "",
    };

    public override string ToString() => Name;

    private static readonly char[] Unwritable = ['\0', '\n', '\r'];
    private static readonly char[] ListSeparators = [','];
    private static readonly char[] MetadataListSeparators = [';', ','];

    private static object? Fail(SettingProblem kind, string text, out SettingProblem? problem, out string? message)
    {
        problem = kind;
        message = text;
        return null;
    }

    private static string Simplify(string text) => text.Trim().Replace("-", "").Replace("_", "").ToUpperInvariant();
}
