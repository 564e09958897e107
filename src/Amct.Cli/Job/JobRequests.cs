using Amct.Engine;
using Amct.Engine.Data;
using Amct.Engine.Evaluation;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;

namespace Amct.Cli.Job;

/// <summary>Maps a job model onto the engine's <see cref="QuantizeRequest"/>.</summary>
internal static class JobRequests
{
    public static QuantizeRequest ToRequest(JobModel model, string project)
    {
        var weights = Choice("Weights", model.Weights, Granularities, model, project);
        return new QuantizeRequest
        {
            ModelPath = model.Model,
            OutputDirectory = model.OutputDirectory,
            OutputName = model.OutputName,
            CalibrationData = model.CalibrationData,
            ConfigFile = model.ConfigFile,
            RecordInput = model.RecordInput,
            Activation = Choice("Activation", model.Activation, Activations, model, project),
            ConvWeights = weights,
            MatMulWeights = Choice("MatMulWeights", model.MatMulWeights, Granularities, model, project) ?? weights,
            Method = model.Method,
            SampleCount = model.SampleCount,
            BatchSize = model.BatchSize,
            SkipLayers = model.SkipLayers,
            SkipOpTypes = model.SkipOpTypes,
            DoFusion = model.Fusion,
            EvaluationData = model.EvaluationData,
            EvaluationLabels = model.EvaluationLabels,
            DataOptions = model.Preprocess is { } preset ? SampleSourceOptionsText.Parse(preset: preset) : null,
            Gate = new GateThresholds
            {
                MinAccuracy = Number(model.MinAccuracy),
                MaxAccuracyDrop = Number(model.MaxAccuracyDrop),
                MaxRelativeAccuracyDrop = Number(model.MaxRelativeAccuracyDrop),
                MinTop1Agreement = Number(model.MinTop1Agreement),
                MinCosineSimilarity = Number(model.MinCosineSimilarity),
                MinSqnrDb = Number(model.MinSqnrDb),
            },
            AutoFallback = model.AutoFallback,
            MaxFallbackLayers = model.MaxFallbackLayers is { } cap ? (int)Math.Min(cap, int.MaxValue) : null,
            AccuracyFailureIsWarning = model.AccuracyFailureIsWarning ?? false,
        };
    }

    private static double? Number(string? text) =>
        text is null ? null : double.Parse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly Dictionary<string, WeightGranularity> Granularities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["per-channel"] = WeightGranularity.PerChannel,
        ["per-tensor"] = WeightGranularity.PerTensor,
    };

    private static readonly Dictionary<string, ActivationMode> Activations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["asymmetric"] = ActivationMode.Asymmetric,
        ["symmetric"] = ActivationMode.Symmetric,
    };

    // The task validates settings before it writes the job; this only guards against a hand-written job file.
    private static T? Choice<T>(string setting, string? value, Dictionary<string, T> values, JobModel model, string project)
        where T : struct =>
        value is null ? null
        : values.TryGetValue(value, out var parsed) ? parsed
        : throw new AmctException(ErrorCodes.SettingUnknownValue, project,
            $"AmctModel '{model.Item}': {setting} '{value}' is not valid. Valid values: {string.Join(", ", values.Keys)}.");
}
