using Amct.Engine.Evaluation;
using Amct.Engine.Data;
using Amct.Engine.Graph.Opset;
using Amct.Engine.Quantization;
using Amct.Engine.Retraining;

namespace Amct.Engine.Pipeline;

/// <summary>
/// Everything one quantization needs. Settings left null take the AMCT config file's global value if it sets one,
/// else the engine default; the config file's per-layer entries override both for the layers they name.
/// Each setting's names, valid values, range and default are in the settings contract (Settings/SettingList.cs);
/// the CLI builds a request from settings text with it (Amct.Cli's QuantizeOptions, for the command line and job files).
/// </summary>
public sealed record QuantizeRequest
{
    public required string ModelPath { get; init; }

    /// <summary>Calibration samples (any sample source). Not needed when <see cref="RecordInput"/> is given.</summary>
    public string? CalibrationData { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>Base name of the outputs (default: the model file name without .onnx).</summary>
    public string? OutputName { get; init; }

    /// <summary>An AMCT JSON quantization config.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>An AMCT record file whose factors are used instead of calibrating.</summary>
    public string? RecordInput { get; init; }

    /// <summary>Whether a model holding Q/DQ pairs (a QAT export) is imported with its trained factors instead of calibrated.</summary>
    public QatImportMode QatImport { get; init; } = QatImportMode.Auto;

    /// <summary>The float model an imported QAT model is compared with (default: the export run as written).</summary>
    public string? FloatModel { get; init; }

    public ActivationMode? Activation { get; init; }
    public WeightGranularity? ConvWeights { get; init; }
    public WeightGranularity? MatMulWeights { get; init; }

    /// <summary>Range method name (minmax, percentile, ifmr, hfmg, entropy).</summary>
    public string? Method { get; init; }

    public IReadOnlyList<string> SkipLayers { get; init; } = [];
    public IReadOnlyList<string> SkipOpTypes { get; init; } = [];

    /// <summary>Batch size for models with a dynamic batch dimension.</summary>
    public int? BatchSize { get; init; }

    /// <summary>How many calibration samples to use (default: all).</summary>
    public long? SampleCount { get; init; }

    /// <summary>Upgrade an opset-6..12 model to 13, keep its opset (10–12, per-tensor weights), or upgrade when possible (default).</summary>
    public OpsetPolicy? Opset { get; init; }

    /// <summary>Inputs fed a fixed value instead of data (input name to value), e.g. a sample-rate scalar.</summary>
    public IReadOnlyDictionary<string, double> InputValues { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>
    /// Recurrent state inputs the data does not feed (h/c beside hn/cn): carried from sample to sample by the float
    /// model, the samples being one stream in data order (default), or zero on every sample.
    /// </summary>
    public RecurrentStateMode RecurrentState { get; init; } = RecurrentStateMode.Carried;

    /// <summary>Conv+BatchNormalization folding (AMCT do_fusion).</summary>
    public bool? DoFusion { get; init; }

    /// <summary>Evaluation samples; when set, the quantized model is compared with the float one after quantizing.</summary>
    public string? EvaluationData { get; init; }

    public string? EvaluationLabels { get; init; }

    /// <summary>The accuracy gate; without thresholds the job still evaluates and warns below cosine 0.99.</summary>
    public GateThresholds Gate { get; init; } = new();

    /// <summary>Revert the most sensitive layers to float until the gate passes (default: on when a threshold is set).</summary>
    public bool? AutoFallback { get; init; }

    /// <summary>The most layers the fallback may keep in float (default: half of the quantized layers, at least 1).</summary>
    public int? MaxFallbackLayers { get; init; }

    /// <summary>
    /// The fallback's first step: sensitive layers read 16-bit activations (weights int8) before any goes to float,
    /// kept where ONNX Runtime runs it no slower than float (default off: on CPU it never measured faster than float).
    /// </summary>
    public bool Int16Fallback { get; init; }

    /// <summary>Report a missed threshold as a warning and keep the outputs, instead of failing.</summary>
    public bool AccuracyFailureIsWarning { get; init; }

    /// <summary>
    /// Fail a model below the quality floor even without thresholds (cosine under 0.9, int8 larger than float, most
    /// layers kept float by the fallback); see <see cref="Evaluation.QualityFloor"/>.
    /// </summary>
    public bool QualityFloor { get; init; } = true;

    /// <summary>Skip the comparison with the float model entirely (no metrics, no gate).</summary>
    public bool SkipEvaluation { get; init; }

    /// <summary>
    /// Layers that cannot have int8 activations (LSTM/GRU/RNN, layers on the way to a Log, If branches no calibration
    /// sample takes) get int8 weights behind DequantizeLinear and compute in float, instead of staying float.
    /// </summary>
    public bool WeightOnlyFallback { get; init; } = true;

    /// <summary>Per weight channel, search the clip with the lowest quantization error instead of max|W|.</summary>
    public bool WeightRangeSearch { get; init; }

    /// <summary>How the int8 weight codes are rounded: to nearest, or guided by the layers' input statistics (weight rounding stage).</summary>
    public Quantization.Rounding.WeightRounding WeightRounding { get; init; } = Quantization.Rounding.WeightRounding.Hessian;

    /// <summary>DMQ-balance the MatMul/Gemm/Conv inputs a few channels dominate (the balance stage).</summary>
    public bool DmqBalancing { get; init; }

    /// <summary>DMQ's migration strength α (default 0.5); an AMCT config's own strength wins for the layers it names.</summary>
    public double? MigrationStrength { get; init; }

    /// <summary>Correct each int8 layer's bias by the mean output shift quantization causes (empirical bias correction).</summary>
    public bool BiasCorrection { get; init; } = true;

    /// <summary>Refine the calibrated activation ranges by the error they cause at the int8 model's outputs (range refinement stage).</summary>
    public bool RangeRefinement { get; init; }

    /// <summary>Time the int8 model against the float one for the reports, and warn when it is slower.</summary>
    public bool MeasureLatency { get; init; } = true;

    /// <summary>ONNX Runtime's intra-op threads for that timing (default 1).</summary>
    public int? LatencyThreads { get; init; }

    /// <summary>Compare every int8 layer's output with the float model's on a few samples (the per-layer error in the reports).</summary>
    public bool LayerErrors { get; init; } = true;

    /// <summary>Quantization-aware retraining after calibration (needs a worker with an <see cref="Retraining.IRetrainer"/>).</summary>
    public RetrainMode Retrain { get; init; }

    /// <summary>The samples retraining learns from; null: the calibration data.</summary>
    public string? TrainingData { get; init; }

    /// <summary>Class-index labels of the training samples (Distill adds a cross-entropy term); null: none.</summary>
    public string? TrainingLabels { get; init; }

    /// <summary>How many training samples to learn from; null: the calibration samples used when training on the
    /// calibration data (<see cref="SampleCount"/>), else all of <see cref="TrainingData"/>.</summary>
    public long? TrainingSampleCount { get; init; }

    /// <summary>Passes over the training data (default 10).</summary>
    public int? RetrainEpochs { get; init; }

    /// <summary>Seconds after which retraining stops at the end of the running step; null: no limit.</summary>
    public double? RetrainTimeBudget { get; init; }

    /// <summary>libtorch threads for retraining (default 1).</summary>
    public int? RetrainThreads { get; init; }

    /// <summary>Seed of retraining's sample order and random state (default 0).</summary>
    public int? RetrainSeed { get; init; }

    /// <summary>
    /// Balanced (default) and Latency keep in float the layer groups measured clearly faster in float here; Accuracy keeps
    /// int8 only where it is clearly faster; Size keeps every layer int8. The search needs <see cref="MeasureLatency"/>.
    /// </summary>
    public Latency.OptimizeFor OptimizeFor { get; init; } = Latency.OptimizeFor.Balanced;

    /// <summary>
    /// Where the speed search remembers its choice per machine, so the same inputs give the same bytes here (null: not
    /// remembered, every job times afresh). The CLI and the build pass the user cache (<c>AMCT_SPEED_CACHE</c> moves it).
    /// </summary>
    public string? SpeedChoiceCache { get; init; }

    /// <summary>
    /// Experimental, for measuring defaults (bench/): store activations as int8 instead of uint8. On x86 CPUs without
    /// VNNI ONNX Runtime's fused kernels lose accuracy with it; see the README.
    /// </summary>
    public bool SignedActivationStorage { get; init; }

    /// <summary>
    /// Weight bit width (WeightBits setting, AMCT's quant_bits): 7 quantizes weights to [-64, 63] ("reduce range"),
    /// down to 2 for low-bit models that retraining recovers (codes still stored as int8).
    /// </summary>
    public int WeightBits { get; init; } = 8;
    /// <summary>
    /// How calibration and evaluation data become tensors where the files do not say (image preprocessing, raw .bin
    /// shapes and types); null: the defaults.
    /// </summary>
    public SampleSourceOptions? DataOptions { get; init; }
}

/// <summary>AMCT convert_qat_model as a mode of the job: on, off, or when the model holds Q/DQ pairs.</summary>
public enum QatImportMode
{
    Auto,
    On,
    Off,
}
