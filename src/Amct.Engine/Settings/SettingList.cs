using System.Collections.Generic;
using System.Linq;

namespace Amct.Engine.Settings;

/// <summary>
/// Every quantization setting (see Setting.cs). Adding one: a line here and its place in <see cref="All"/>, a line in
/// the targets' ItemDefinitionGroup if it is MSBuild metadata (a test checks the two agree), where the engine reads it
/// (QuantizeRequest and the CLI's QuantizeOptions), and its README row (a test checks the README tables too).
/// </summary>
internal static class SettingList
{
    /// <summary>
    /// The job file format the task writes and <c>amct job</c> reads: per model, the item, the model path and its
    /// settings keyed by <see cref="Setting.Flag"/> with values in the command line's spelling.
    /// </summary>
    public const string JobFormat = "amct-job/2";

    private const SettingSurface Build = SettingSurface.MSBuild;
    private const SettingSurface Cli = SettingSurface.CommandLine;

    public static readonly Setting Enabled = new("Enabled", null, SettingKind.Boolean, "true",
        "false: the model is skipped (no outputs, no checks)", Build);
    public static readonly Setting CalibrationData = new("CalibrationData", "calibration-data", SettingKind.Data, "(required)",
        "the samples to calibrate on (.npy, .npz, test_data_set folders, raw .bin, images); not needed with a record",
        perModel: true);
    public static readonly Setting ActivationQuantization = new("ActivationQuantization", "activation", SettingKind.Choice,
        "asymmetric", "asymmetric (an offset per tensor, AMCT activation_offset), symmetric (offset 0), or none (weight-only: int8 weights, float activations, no calibration)",
        choices: Choices("asymmetric", "Asymmetric", "symmetric", "Symmetric", "none", "None"));
    public static readonly Setting WeightOnlyFallback = new("WeightOnlyFallback", "weight-only-fallback", SettingKind.Boolean,
        "true", "layers that cannot have int8 activations (LSTM/GRU/RNN, layers feeding a Log, If branches no calibration sample takes) get int8 weights and compute in float; false: they stay float",
        negatedFlag: "no-weight-only-fallback");
    public static readonly Setting WeightGranularity = new("WeightGranularity", "weights", SettingKind.Choice, "per-channel",
        "weight scales per output channel or per tensor (Conv, ConvTranspose; also Gemm/MatMul unless set apart)",
        choices: Granularities());
    public static readonly Setting MatMulWeightGranularity = new("MatMulWeightGranularity", "matmul-weights", SettingKind.Choice,
        "per-channel", "the same for Gemm and MatMul weights (per output column)", choices: Granularities());
    public static readonly Setting CalibrationMethod = new("CalibrationMethod", "method", SettingKind.Choice, "ifmr",
        "activation range method; auto: per tensor, the other methods' clip that causes the least error at the output of the layers reading it",
        choices: Choices("minmax", "MinMax", "percentile", "Percentile", "ifmr", "Ifmr", "hfmg", "Hfmg", "entropy", "Entropy", "auto", "Auto"));
    public static readonly Setting WeightRangeSearch = new("WeightRangeSearch", "weight-range-search", SettingKind.Boolean,
        "false", "per weight channel, the clip (0.50–1.00 × max|W|) with the lowest squared quantization error",
        negatedFlag: "no-weight-range-search");
    public static readonly Setting WeightRounding = new("WeightRounding", "weight-rounding", SettingKind.Choice, "hessian",
        "nearest: each weight to its nearest int8 step; hessian: per Conv/Gemm/MatMul, the steps chosen one input at a time, each rounding error compensated in the inputs not yet rounded by the layer's input statistics on the calibration data (GPTQ-style), kept only where the int8 model's outputs measure better on the calibration data than with nearest rounding",
        choices: Choices("nearest", "Nearest", "hessian", "Hessian"));
    public static readonly Setting DmqBalancing = new("DmqBalancing", "dmq-balancing", SettingKind.Boolean, "false",
        "DMQ balancing (AMCT's SmoothQuant equivalent): a MatMul/Gemm/Conv input whose range a few channels dominate is divided per channel by s, the weight multiplied by it",
        negatedFlag: "no-dmq-balancing");
    public static readonly Setting MigrationStrength = new("MigrationStrength", "migration-strength", SettingKind.Fraction, "0.5",
        "DMQ's migration strength α in s = max|X|^α / max|W|^(1−α): how much of the activation's range moves into the weights");
    public static readonly Setting BiasCorrection = new("BiasCorrection", "bias-correction", SettingKind.Boolean,
        "true", "per int8 Conv/Gemm layer, the bias minus the mean output shift quantization causes on the calibration data, kept where the int8 model's outputs measure better with it",
        negatedFlag: "no-bias-correction");
    public static readonly Setting RangeRefinement = new("RangeRefinement", "range-refinement", SettingKind.Boolean,
        "false", "after calibration, the activation ranges scaled in ×1.1/÷1.1 steps where that raises the int8 model's output SQNR against the float model on the calibration data",
        negatedFlag: "no-range-refinement");
    public static readonly Setting SampleCount = new("SampleCount", "samples", SettingKind.Count, "all",
        "how many calibration samples to use");

    // Bounded so that a typo cannot make the tool allocate a batch of two billion samples.
    public static readonly Setting BatchSize = new("BatchSize", "batch-size", SettingKind.Count, "16",
        "batch size for models with a dynamic batch dimension (a fixed one is followed)", maximum: 4096);
    public static readonly Setting SkipLayers = new("SkipLayers", "skip-layers", SettingKind.List, "none",
        "layers (node names) kept in float; amct inspect lists them");
    public static readonly Setting SkipOpTypes = new("SkipOpTypes", "skip-op-types", SettingKind.List, "none",
        "operator types kept in float, e.g. Gemm");
    public static readonly Setting ConfigFile = new("ConfigFile", "config", SettingKind.File, "none",
        "an AMCT quantization config: create_quant_config JSON or a simplified .cfg (told apart by content)");
    public static readonly Setting RecordInput = new("RecordInput", "record", SettingKind.File, "none",
        "an AMCT record file whose factors are used instead of calibrating", perModel: true);
    public static readonly Setting QatImport = new("QatImport", "qat-import", SettingKind.Choice, "auto",
        "import a QAT export's Q/DQ pairs with their trained factors instead of calibrating: auto (when the model holds them), on, off",
        choices: Choices("auto", "Auto", "on", "On", "off", "Off"));
    public static readonly Setting FloatModel = new("FloatModel", "float-model", SettingKind.File, "the export as written",
        "the float model an imported QAT model is compared with", perModel: true);
    public static readonly Setting Fusion = new("Fusion", "fusion", SettingKind.Boolean, "true",
        "Conv+BatchNormalization folding (AMCT do_fusion)", negatedFlag: "no-fusion");
    public static readonly Setting OpsetUpgrade = new("OpsetUpgrade", "opset-upgrade", SettingKind.Choice, "auto",
        "an opset 6-12 model: upgrade it to 13 when possible, else keep its opset (10-12, per-tensor weights) (auto); always upgrade (upgrade); keep its opset (keep)",
        choices: Choices("auto", "Auto", "upgrade", "Upgrade", "keep", "Keep"));
    public static readonly Setting InputValues = new("InputValues", "input-values", SettingKind.List, "none",
        "inputs fed a fixed value instead of data, name=value (e.g. sr=16000 for a sample-rate input)");
    public static readonly Setting RecurrentState = new("RecurrentState", "recurrent-state", SettingKind.Choice, "carried",
        "recurrent state inputs the data does not feed (an LSTM's h/c beside hn/cn): carried (the samples are one stream in data order, each fed the float model's state after the one before) or zero (every sample starts a stream)",
        choices: Choices("carried", "Carried", "zero", "Zero"));
    public static readonly Setting EvaluationData = new("EvaluationData", "evaluation-data", SettingKind.Data,
        "the calibration data", "samples the int8 model is compared with the float one on", perModel: true);
    public static readonly Setting EvaluationLabels = new("EvaluationLabels", "evaluation-labels", SettingKind.File, "no labels",
        "labels of the evaluation samples (.npy, CSV or a class list)", perModel: true);
    public static readonly Setting OutputName = new("OutputName", "output-name", SettingKind.Text, "{name}",
        "base name of the outputs (default: the model's file name without .onnx)");
    public static readonly Setting CopyToOutputDirectory = new("CopyToOutputDirectory", null, SettingKind.Choice, "PreserveNewest",
        "how the int8 model is copied to bin/", Build, choices: CopyChoices());
    public static readonly Setting CopyToPublishDirectory = new("CopyToPublishDirectory", null, SettingKind.Choice, "PreserveNewest",
        "how the int8 model is copied to the publish folder", Build, choices: CopyChoices());
    public static readonly Setting KeepFloatModel = new("KeepFloatModel", null, SettingKind.Boolean, "true",
        "false keeps the float model out of bin/ and the publish folder", Build);
    public static readonly Setting CopyRecordAndReport = new("CopyRecordAndReport", null, SettingKind.Boolean, "false",
        "also copy the record file and the reports", Build);
    public static readonly Setting Preprocess = new("Preprocess", "preprocess", SettingKind.Text, "none",
        "image preprocessing preset (imagenet-caffe, imagenet-torch, imagenet-tf); the settings below override its values");
    public static readonly Setting Resize = Data("Resize", "resize", "N|WxH|none: shorter side to N, or exactly W x H");
    public static readonly Setting Interpolation = Data("Interpolation", "interpolation", "nearest|bilinear|bicubic (Pillow's filters)");
    public static readonly Setting Crop = Data("Crop", "crop", "N|WxH: center crop (default: the model's input size)");
    public static readonly Setting Color = Data("Color", "color", "rgb|bgr|gray");
    public static readonly Setting Scale = Data("Scale", "scale", "pixel scale, e.g. 1/255");
    public static readonly Setting Mean = Data("Mean", "mean", "a,b,c: subtracted per channel (tensor channel order)");
    public static readonly Setting Std = Data("Std", "std", "a,b,c: divided per channel (tensor channel order)");
    public static readonly Setting Layout = Data("Layout", "layout", "nchw|nhwc");
    public static readonly Setting InputShape = Data("InputShape", "input-shape", "raw .bin data: \"name:1,3,224,224;...\"");
    public static readonly Setting DataType = Data("DataType", "data-type", "raw .bin data: \"name:float32;...\"");
    public static readonly Setting MinAccuracy = new("MinAccuracy", "min-accuracy", SettingKind.Fraction, "not checked",
        "gate: the int8 model's top-1 accuracy at least this (needs labels)");
    public static readonly Setting MaxAccuracyDrop = new("MaxAccuracyDrop", "max-accuracy-drop", SettingKind.Fraction, "not checked",
        "gate: top-1 accuracy lost at most this (0.01 = one point; needs labels)");
    public static readonly Setting MaxRelativeAccuracyDrop = new("MaxRelativeAccuracyDrop", "max-relative-accuracy-drop",
        SettingKind.Fraction, "not checked", "gate: top-1 accuracy lost at most this fraction of the float accuracy");
    public static readonly Setting MinTop1Agreement = new("MinTop1Agreement", "min-top1-agreement", SettingKind.Fraction,
        "not checked", "gate: int8 and float agree on the top class at least this often");
    public static readonly Setting MinCosineSimilarity = new("MinCosineSimilarity", "min-cosine-similarity", SettingKind.Fraction,
        "not checked", "gate: the mean cosine similarity of every output at least this");
    public static readonly Setting MinSqnrDb = new("MinSqnrDb", "min-sqnr-db", SettingKind.Number, "not checked",
        "gate: the SQNR of every output at least this many dB");
    public static readonly Setting AutoFallback = new("AutoFallback", "auto-fallback", SettingKind.Boolean,
        "on when a threshold is set", "keep the most sensitive layers in float until the gate passes",
        negatedFlag: "no-auto-fallback");
    public static readonly Setting MaxFallbackLayers = new("MaxFallbackLayers", "max-fallback-layers", SettingKind.Count,
        "half the int8 layers", "the most layers the fallback may keep in float", maximum: int.MaxValue);
    public static readonly Setting Int16Fallback = new("Int16Fallback", "int16-fallback", SettingKind.Boolean, "false",
        "the fallback's first step: the sensitive layers read 16-bit activations (uint16/int16, weights still int8) before any goes to float; kept only where ONNX Runtime runs it no more than 5 % slower than those layers in float",
        negatedFlag: "no-int16-fallback");
    public static readonly Setting AccuracyFailureIsWarning = new("AccuracyFailureIsWarning", "accuracy-failure-is-warning",
        SettingKind.Boolean, "false", "a missed threshold is a warning and the outputs are kept");
    public static readonly Setting QualityFloor = new("QualityFloor", "quality-floor", SettingKind.Boolean, "true",
        "fail a model even without thresholds when an output's cosine similarity is below 0.9, the int8 model is larger than the float one, or the fallback kept more than half the layers in float; false accepts such a model",
        negatedFlag: "no-quality-floor");
    public static readonly Setting MeasureLatency = new("MeasureLatency", "measure-latency", SettingKind.Boolean, "true",
        "time the int8 model against the float one in ONNX Runtime for the reports; warn when it is not at least 5 % faster",
        negatedFlag: "no-measure-latency");
    public static readonly Setting LatencyThreads = new("LatencyThreads", "latency-threads", SettingKind.Count, "1",
        "ONNX Runtime intra-op threads for that timing", maximum: 1024);
    public static readonly Setting LayerErrors = new("LayerErrors", "layer-errors", SettingKind.Boolean, "true",
        "compare every int8 layer's output with the float model's on a few samples, for the HTML report's per-layer error",
        negatedFlag: "no-layer-errors");
    public static readonly Setting OptimizeFor = new("OptimizeFor", "optimize-for", SettingKind.Choice, "balanced",
        "balanced: layer groups measured clearly faster in float stay float; latency: the same for smaller gains; " +
        "accuracy: int8 only where clearly faster; size: every layer int8",
        choices: Choices("balanced", "Balanced", "size", "Size", "latency", "Latency", "accuracy", "Accuracy"));
    public static readonly Setting Retrain = new("Retrain", "retrain", SettingKind.Choice, "none",
        "none; distill: quantization-aware retraining against the float model; adaround: learned weight rounding layer " +
        "by layer; auto: post-training first, then adaround, then distill while the accuracy gate fails (all need the " +
        "Amct.Build.Qat package)",
        choices: Choices("none", "None", "distill", "Distill", "adaround", "AdaRound", "auto", "Auto"));
    public static readonly Setting TrainingData = new("TrainingData", "training-data", SettingKind.Data,
        "the calibration data", "the samples retraining learns from (no labels needed)", perModel: true);
    public static readonly Setting TrainingLabels = new("TrainingLabels", "training-labels", SettingKind.File, "no labels",
        "labels of the training samples (.npy, CSV or a class list, as EvaluationLabels): Distill adds their cross-entropy to the distillation loss (class-score outputs only)",
        perModel: true);
    public static readonly Setting TrainingSampleCount = new("TrainingSampleCount", "training-samples", SettingKind.Count,
        "SampleCount on the calibration data, else all", "how many training samples retraining learns from");
    public static readonly Setting RetrainEpochs = new("RetrainEpochs", "retrain-epochs", SettingKind.Count, "10",
        "passes over the training data", maximum: 100000);
    public static readonly Setting RetrainTimeBudget = new("RetrainTimeBudget", "retrain-time-budget", SettingKind.Number,
        "no limit", "seconds after which retraining stops at the end of the running step");
    public static readonly Setting RetrainThreads = new("RetrainThreads", "retrain-threads", SettingKind.Count, "1",
        "libtorch threads for retraining (results are reproducible for a fixed thread count)", maximum: 1024);
    public static readonly Setting RetrainSeed = new("RetrainSeed", "retrain-seed", SettingKind.Count, "0",
        "seed of retraining's sample order and random state: the same seed and thread count give the same model",
        minimum: 0, maximum: int.MaxValue);
    public static readonly Setting WeightBits = new("WeightBits", "weight-bits", SettingKind.Count, "8",
        "weight bit width, 2 to 8 (codes stay stored as int8; AMCT's quant_bits): below 8 for retraining to recover",
        minimum: 2, maximum: 8);

    // Command line only (the task passes output-dir itself; a build always evaluates).
    public static readonly Setting OutputDirectory = new("OutputDirectory", "output-dir", SettingKind.File, "the model's folder",
        "where the outputs go", Cli);
    public static readonly Setting NoEvaluation = new("NoEvaluation", "no-evaluation", SettingKind.Boolean, "false",
        "skip the comparison with the float model (no metrics, no gate)", Cli);

    /// <summary>Every setting, in job file order.</summary>
    public static readonly IReadOnlyList<Setting> All =
    [
        Enabled, CalibrationData, ActivationQuantization, WeightOnlyFallback, WeightGranularity, MatMulWeightGranularity, CalibrationMethod,
        WeightRangeSearch, WeightRounding, DmqBalancing, MigrationStrength, BiasCorrection, RangeRefinement, SampleCount, BatchSize, SkipLayers, SkipOpTypes, ConfigFile, RecordInput, QatImport, FloatModel, Fusion,
        OpsetUpgrade, InputValues, RecurrentState, EvaluationData,
        EvaluationLabels, OutputName, CopyToOutputDirectory, CopyToPublishDirectory, KeepFloatModel, CopyRecordAndReport,
        Preprocess, Resize, Interpolation, Crop, Color, Scale, Mean, Std, Layout, InputShape, DataType,
        MinAccuracy, MaxAccuracyDrop, MaxRelativeAccuracyDrop, MinTop1Agreement, MinCosineSimilarity, MinSqnrDb,
        AutoFallback, MaxFallbackLayers, Int16Fallback, AccuracyFailureIsWarning, QualityFloor, MeasureLatency, LatencyThreads, LayerErrors,
        OptimizeFor, Retrain, TrainingData, TrainingLabels, TrainingSampleCount, RetrainEpochs, RetrainTimeBudget, RetrainThreads, RetrainSeed, WeightBits,
        OutputDirectory, NoEvaluation,
    ];

    /// <summary>How data becomes tensors (<c>amct evaluate</c> takes these too).</summary>
    public static readonly IReadOnlyList<Setting> DataOptions =
        [Preprocess, Resize, Interpolation, Crop, Color, Scale, Mean, Std, Layout, InputShape, DataType];

    /// <summary>The setting whose flag (or negated flag) is <paramref name="flag"/>, without dashes; null if none.</summary>
    public static Setting? ByFlag(string flag) => All.FirstOrDefault(s => s.Flag == flag || s.NegatedFlag == flag);

    // The engine reads their syntax (SampleSourceOptionsText), so here they are text; a build passes them on as written.
    private static Setting Data(string name, string flag, string description) =>
        new(name, flag, SettingKind.Text, "none", description);

    private static SettingChoice[] Granularities() => Choices("per-channel", "PerChannel", "per-tensor", "PerTensor");

    private static SettingChoice[] CopyChoices() => Choices(
        "PreserveNewest", "PreserveNewest", "Always", "Always", "IfDifferent", "IfDifferent", "Never", "Never");

    private static SettingChoice[] Choices(params string[] pairs)
    {
        var choices = new SettingChoice[pairs.Length / 2];
        for (var i = 0; i < choices.Length; i++)
        {
            choices[i] = new SettingChoice(pairs[2 * i], pairs[(2 * i) + 1]);
        }
        return choices;
    }
}
