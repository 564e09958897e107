using System;
using System.Collections.Generic;
using System.Linq;

namespace Amct.Build.Tasks.Settings;

/// <summary>How a setting's text is read and checked.</summary>
internal enum SettingKind
{
    /// <summary>One of a fixed list of names (case and dashes ignored).</summary>
    Choice,

    /// <summary>A whole number of at least 1.</summary>
    Count,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>A file that must exist.</summary>
    File,

    /// <summary>A file or a folder of sample data that must exist.</summary>
    Data,

    /// <summary>Names separated by ';' or ','.</summary>
    List,

    /// <summary>Free text.</summary>
    Text,

    /// <summary>A decimal number (invariant culture); fractions such as accuracy thresholds are between 0 and 1.</summary>
    Decimal,

    /// <summary>A decimal number between 0 and 1 (0.01 = one point of accuracy).</summary>
    Fraction,
}

/// <summary>
/// One setting of an AmctModel: its metadata name, the project-wide property that supplies its default (the
/// ItemDefinitionGroup in Amct.Build.targets does that, so item metadata overrides the property), its kind and the
/// job file field the worker reads (null for settings only the build uses).
/// </summary>
internal sealed class SettingSpec
{
    private SettingSpec(string metadata, SettingKind kind, string? jobField, IReadOnlyList<KeyValuePair<string, string>>? choices = null,
        bool perModelOnly = false)
    {
        Metadata = metadata;
        PerModelOnly = perModelOnly;
        Kind = kind;
        JobField = jobField;
        Choices = choices ?? Array.Empty<KeyValuePair<string, string>>();
    }

    public string Metadata { get; }

    /// <summary>The project-wide property that supplies the default, or null for per-model inputs (data files).</summary>
    public string? Property => PerModelOnly ? null : "Amct" + Metadata;

    public bool PerModelOnly { get; }

    public SettingKind Kind { get; }

    public string? JobField { get; }

    /// <summary>For <see cref="SettingKind.Choice"/>: the MSBuild spelling and the worker's spelling of each value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Choices { get; }

    public string ValidValues => string.Join(", ", Choices.Select(c => c.Key));

    /// <summary>The worker's spelling of a choice, or null if <paramref name="text"/> is none of them.</summary>
    public string? Choose(string text)
    {
        var wanted = Simplify(text);
        return Choices.Where(c => Simplify(c.Key) == wanted).Select(c => c.Value).FirstOrDefault();
    }

    // "PerChannel", "per-channel" and "per_channel" are the same choice.
    private static string Simplify(string text) => text.Replace("-", "").Replace("_", "").ToUpperInvariant();

    public static readonly SettingSpec Enabled = new("Enabled", SettingKind.Boolean, null);
    public static readonly SettingSpec CalibrationData = new("CalibrationData", SettingKind.Data, "calibrationData", perModelOnly: true);
    public static readonly SettingSpec ActivationQuantization = new("ActivationQuantization", SettingKind.Choice, "activation",
        Pairs("Asymmetric", "asymmetric", "Symmetric", "symmetric"));
    public static readonly SettingSpec WeightGranularity = new("WeightGranularity", SettingKind.Choice, "weights",
        Pairs("PerChannel", "per-channel", "PerTensor", "per-tensor"));
    public static readonly SettingSpec MatMulWeightGranularity = new("MatMulWeightGranularity", SettingKind.Choice, "matMulWeights",
        Pairs("PerChannel", "per-channel", "PerTensor", "per-tensor"));
    public static readonly SettingSpec CalibrationMethod = new("CalibrationMethod", SettingKind.Choice, "method",
        Pairs("MinMax", "minmax", "Percentile", "percentile", "Ifmr", "ifmr", "Hfmg", "hfmg", "Entropy", "entropy"));
    public static readonly SettingSpec SampleCount = new("SampleCount", SettingKind.Count, "sampleCount");
    public static readonly SettingSpec BatchSize = new("BatchSize", SettingKind.Count, "batchSize");
    public static readonly SettingSpec SkipLayers = new("SkipLayers", SettingKind.List, "skipLayers");
    public static readonly SettingSpec SkipOpTypes = new("SkipOpTypes", SettingKind.List, "skipOpTypes");
    public static readonly SettingSpec ConfigFile = new("ConfigFile", SettingKind.File, "configFile");
    public static readonly SettingSpec RecordInput = new("RecordInput", SettingKind.File, "recordInput", perModelOnly: true);
    public static readonly SettingSpec Fusion = new("Fusion", SettingKind.Boolean, "fusion");
    public static readonly SettingSpec EvaluationData = new("EvaluationData", SettingKind.Data, "evaluationData", perModelOnly: true);
    public static readonly SettingSpec EvaluationLabels = new("EvaluationLabels", SettingKind.File, "evaluationLabels", perModelOnly: true);
    public static readonly SettingSpec OutputName = new("OutputName", SettingKind.Text, null);
    public static readonly SettingSpec Preprocess = new("Preprocess", SettingKind.Text, "preprocess");
    public static readonly SettingSpec MinAccuracy = new("MinAccuracy", SettingKind.Fraction, "minAccuracy");
    public static readonly SettingSpec MaxAccuracyDrop = new("MaxAccuracyDrop", SettingKind.Fraction, "maxAccuracyDrop");
    public static readonly SettingSpec MaxRelativeAccuracyDrop = new("MaxRelativeAccuracyDrop", SettingKind.Fraction, "maxRelativeAccuracyDrop");
    public static readonly SettingSpec MinTop1Agreement = new("MinTop1Agreement", SettingKind.Fraction, "minTop1Agreement");
    public static readonly SettingSpec MinCosineSimilarity = new("MinCosineSimilarity", SettingKind.Fraction, "minCosineSimilarity");
    public static readonly SettingSpec MinSqnrDb = new("MinSqnrDb", SettingKind.Decimal, "minSqnrDb");
    public static readonly SettingSpec AutoFallback = new("AutoFallback", SettingKind.Boolean, "autoFallback");
    public static readonly SettingSpec MaxFallbackLayers = new("MaxFallbackLayers", SettingKind.Count, "maxFallbackLayers");
    public static readonly SettingSpec AccuracyFailureIsWarning = new("AccuracyFailureIsWarning", SettingKind.Boolean, "accuracyFailureIsWarning");
    public static readonly SettingSpec CopyToOutputDirectory = new("CopyToOutputDirectory", SettingKind.Choice, null, CopyChoices());
    public static readonly SettingSpec CopyToPublishDirectory = new("CopyToPublishDirectory", SettingKind.Choice, null, CopyChoices());
    public static readonly SettingSpec KeepFloatModel = new("KeepFloatModel", SettingKind.Boolean, null);
    public static readonly SettingSpec CopyRecordAndReport = new("CopyRecordAndReport", SettingKind.Boolean, null);

    /// <summary>
    /// Every setting, in job file order. A new engine setting (image preprocessing, accuracy gate) is one line here
    /// (a Text or Data setting passes straight through to the job file), one property in the JobModel record of the
    /// worker, one line in the targets' ItemDefinitionGroup and a row in the README.
    /// </summary>
    public static readonly IReadOnlyList<SettingSpec> All =
    [
        Enabled, CalibrationData, ActivationQuantization, WeightGranularity, MatMulWeightGranularity, CalibrationMethod,
        SampleCount, BatchSize, SkipLayers, SkipOpTypes, ConfigFile, RecordInput, Fusion, EvaluationData,
        EvaluationLabels, OutputName, CopyToOutputDirectory, CopyToPublishDirectory, KeepFloatModel, CopyRecordAndReport,
        Preprocess, MinAccuracy, MaxAccuracyDrop, MaxRelativeAccuracyDrop, MinTop1Agreement, MinCosineSimilarity, MinSqnrDb,
        AutoFallback, MaxFallbackLayers, AccuracyFailureIsWarning,
    ];

    private static KeyValuePair<string, string>[] CopyChoices() =>
        Pairs("PreserveNewest", "PreserveNewest", "Always", "Always", "IfDifferent", "IfDifferent", "Never", "Never");

    private static KeyValuePair<string, string>[] Pairs(params string[] names)
    {
        var pairs = new KeyValuePair<string, string>[names.Length / 2];
        for (var i = 0; i < pairs.Length; i++)
        {
            pairs[i] = new KeyValuePair<string, string>(names[2 * i], names[(2 * i) + 1]);
        }
        return pairs;
    }
}
