using Amct.Engine.Data;
using Amct.Engine.Quantization;

namespace Amct.Engine.Pipeline;

/// <summary>
/// Everything one quantization needs. Settings left null take the AMCT config file's global value if it sets one,
/// else the engine default; the config file's per-layer entries override both for the layers they name.
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

    /// <summary>Conv+BatchNormalization folding (AMCT do_fusion).</summary>
    public bool? DoFusion { get; init; }

    /// <summary>Evaluation samples; when set, the quantized model is compared with the float one after quantizing.</summary>
    public string? EvaluationData { get; init; }

    public string? EvaluationLabels { get; init; }

    /// <summary>
    /// How calibration and evaluation data become tensors where the files do not say (image preprocessing, raw .bin
    /// shapes and types); null: the defaults.
    /// </summary>
    public SampleSourceOptions? DataOptions { get; init; }
}
