using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Graph.Opset;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Quantization.Rounding;
using Amct.Engine.Retraining;
using Amct.Engine.Settings;
using Amct.Engine.Latency;
using S = Amct.Engine.Settings.SettingList;

namespace Amct.Cli.Options;

/// <summary>
/// The one mapping from settings text to a <see cref="QuantizeRequest"/>: <c>amct quantize</c> feeds it its flags, and
/// <c>amct job</c> the settings the MSBuild task wrote in the same vocabulary. Every value is read and checked by
/// its <see cref="Setting"/>, so the command line, the job file and the build accept the same text.
/// </summary>
internal sealed class QuantizeOptions
{
    private readonly Dictionary<Setting, object> _values = [];

    private QuantizeOptions()
    {
    }

    /// <summary>Reads the settings given (text by setting); an invalid value is a coded error named by <paramref name="naming"/>.</summary>
    public static QuantizeOptions Read(IEnumerable<KeyValuePair<Setting, string>> given, SettingNaming naming)
    {
        var options = new QuantizeOptions();
        foreach (var (setting, text) in given)
        {
            var value = setting.Parse(text, naming.UsesMetadataNames, out var problem, out var message);
            if (problem is { } refused)
            {
                throw naming.Refused(setting, text, refused, message!);
            }
            if (value is not null)
            {
                options._values[setting] = value;
            }
        }
        return options;
    }

    public bool Has(Setting setting) => _values.ContainsKey(setting);

    /// <summary>Within int range: the contract bounds the batch size.</summary>
    public int? BatchSize => (int?)Count(S.BatchSize);

    public QuantizeRequest ToRequest(string modelPath, SettingNaming naming)
    {
        var weights = Granularity(S.WeightGranularity);
        return new QuantizeRequest
        {
            ModelPath = modelPath,
            CalibrationData = Text(S.CalibrationData),
            ConfigFile = Text(S.ConfigFile),
            RecordInput = Text(S.RecordInput),
            QatImport = Text(S.QatImport) is { } qat ? Enum.Parse<QatImportMode>(qat, ignoreCase: true) : QatImportMode.Auto,
            FloatModel = Text(S.FloatModel),
            OutputDirectory = Text(S.OutputDirectory) ?? Path.GetDirectoryName(Path.GetFullPath(modelPath))!,
            OutputName = Text(S.OutputName),
            Activation = Text(S.ActivationQuantization) is { } activation ? Enum.Parse<ActivationMode>(activation, ignoreCase: true) : null,
            ConvWeights = weights,
            MatMulWeights = Granularity(S.MatMulWeightGranularity) ?? weights,
            Method = Text(S.CalibrationMethod),
            SkipLayers = _values.GetValueOrDefault(S.SkipLayers) as string[] ?? [],
            SkipOpTypes = _values.GetValueOrDefault(S.SkipOpTypes) as string[] ?? [],
            BatchSize = BatchSize,
            SampleCount = Count(S.SampleCount),
            MaxFallbackLayers = (int?)Count(S.MaxFallbackLayers), // the contract bounds it to int
            DoFusion = Flag(S.Fusion),
            WeightRangeSearch = Flag(S.WeightRangeSearch) ?? false,
            WeightRounding = Text(S.WeightRounding) is { } rounding ? Enum.Parse<WeightRounding>(rounding, ignoreCase: true) : WeightRounding.Hessian,
            WeightOnlyFallback = Flag(S.WeightOnlyFallback) ?? true,
            DmqBalancing = Flag(S.DmqBalancing) ?? false,
            MigrationStrength = Number(S.MigrationStrength),
            BiasCorrection = Flag(S.BiasCorrection) ?? true,
            RangeRefinement = Flag(S.RangeRefinement) ?? false,
            Opset = Text(S.OpsetUpgrade) is { } opset ? Enum.Parse<OpsetPolicy>(opset, ignoreCase: true) : null,
            EvaluationData = Text(S.EvaluationData),
            EvaluationLabels = Text(S.EvaluationLabels),
            Gate = new GateThresholds
            {
                MinAccuracy = Number(S.MinAccuracy),
                MaxAccuracyDrop = Number(S.MaxAccuracyDrop),
                MaxRelativeAccuracyDrop = Number(S.MaxRelativeAccuracyDrop),
                MinTop1Agreement = Number(S.MinTop1Agreement),
                MinCosineSimilarity = Number(S.MinCosineSimilarity),
                MinSqnrDb = Number(S.MinSqnrDb),
            },
            AutoFallback = Flag(S.AutoFallback),
            Int16Fallback = Flag(S.Int16Fallback) ?? false,
            AccuracyFailureIsWarning = Flag(S.AccuracyFailureIsWarning) ?? false,
            QualityFloor = Flag(S.QualityFloor) ?? true,
            SkipEvaluation = Flag(S.NoEvaluation) ?? false,
            MeasureLatency = Flag(S.MeasureLatency) ?? true,
            LatencyThreads = (int?)Count(S.LatencyThreads), // the contract bounds it to int
            LayerErrors = Flag(S.LayerErrors) ?? true,
            OptimizeFor = Text(S.OptimizeFor) is { } optimizeFor ? Enum.Parse<OptimizeFor>(optimizeFor, ignoreCase: true) : OptimizeFor.Balanced,
            SpeedChoiceCache = SpeedChoiceMemo.DefaultFolder(),
            Retrain = Text(S.Retrain) is { } retrain ? Enum.Parse<RetrainMode>(retrain, ignoreCase: true) : RetrainMode.None,
            TrainingData = Text(S.TrainingData),
            TrainingLabels = Text(S.TrainingLabels),
            TrainingSampleCount = Count(S.TrainingSampleCount),
            RetrainEpochs = (int?)Count(S.RetrainEpochs),
            RetrainTimeBudget = Number(S.RetrainTimeBudget),
            RetrainThreads = (int?)Count(S.RetrainThreads),
            RetrainSeed = (int?)Count(S.RetrainSeed), // the contract bounds it to int
            WeightBits = (int?)Count(S.WeightBits) ?? 8,
            DataOptions = DataOptions(naming),
            InputValues = InputValues(naming),
            RecurrentState = Text(S.RecurrentState) is { } state ? Enum.Parse<RecurrentStateMode>(state, ignoreCase: true) : RecurrentStateMode.Carried,
        };
    }

    /// <summary>The InputValues list as input name to value; an item that is not name=number is refused.</summary>
    private Dictionary<string, double> InputValues(SettingNaming naming)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var item in _values.GetValueOrDefault(S.InputValues) as string[] ?? [])
        {
            var parts = item.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || !double.TryParse(parts[1], System.Globalization.NumberStyles.Float,
                System.Globalization.CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value)
                || !values.TryAdd(parts[0], value))
            {
                throw naming.Refused(S.InputValues, item, SettingProblem.NotANumber,
                    "is not name=number, or names an input twice (e.g. sr=16000)");
            }
        }
        return values;
    }

    /// <summary>How data becomes tensors, or null when no data option is given (the engine's defaults apply).</summary>
    public SampleSourceOptions? DataOptions(SettingNaming naming) => !S.DataOptions.Any(Has) ? null
        : SampleSourceOptionsText.Parse(
            preset: Text(S.Preprocess),
            resize: Text(S.Resize),
            interpolation: Text(S.Interpolation),
            crop: Text(S.Crop),
            color: Text(S.Color),
            scale: Text(S.Scale),
            mean: Text(S.Mean),
            std: Text(S.Std),
            layout: Text(S.Layout),
            inputShapes: Text(S.InputShape),
            dataTypes: Text(S.DataType),
            settingName: naming.DataOptionName);

    private string? Text(Setting setting) => _values.GetValueOrDefault(setting) as string;

    private long? Count(Setting setting) => _values.GetValueOrDefault(setting) as long?;

    private bool? Flag(Setting setting) => _values.GetValueOrDefault(setting) as bool?;

    private double? Number(Setting setting) => _values.GetValueOrDefault(setting) as double?;

    // The contract's spellings are the enum names with dashes: per-channel -> PerChannel.
    private WeightGranularity? Granularity(Setting setting) => Text(setting) is { } text
        ? Enum.Parse<WeightGranularity>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true)
        : null;
}
