namespace Amct.Engine.Formats;

/// <summary>
/// An AMCT JSON quantization config (the <c>config.json</c> of AMCT's <c>create_quant_config</c>), as written: every
/// setting is null (or a null list) when the file does not set it, so the pipeline can layer engine defaults, project
/// properties, item metadata and this file. Read with <see cref="QuantConfigReader"/>.
/// </summary>
public sealed class QuantConfig
{
    /// <summary><c>version</c>: the config format version; only 1 exists.</summary>
    public int? Version { get; init; }

    /// <summary><c>batch_num</c>: how many calibration batches to run.</summary>
    public int? BatchNum { get; init; }

    /// <summary><c>activation_offset</c>: true for asymmetric activations (AMCT's default), false for symmetric.</summary>
    public bool? ActivationOffset { get; init; }

    /// <summary><c>do_fusion</c>: whether Conv+BatchNormalization are folded before quantization.</summary>
    public bool? DoFusion { get; init; }

    /// <summary><c>skip_fusion_layers</c>: layers left out of fusions.</summary>
    public IReadOnlyList<string>? SkipFusionLayers { get; init; }

    /// <summary><c>joint_quant</c>: AMCT's joint quantization of Eltwise inputs; only false is supported.</summary>
    public bool? JointQuant { get; init; }

    /// <summary><c>skip_layers</c> (an Amct.Build extension, as in AMCT's simplified config): layers kept in float.</summary>
    public IReadOnlyList<string>? SkipLayers { get; init; }

    /// <summary><c>skip_layer_types</c> (an Amct.Build extension): operator types (e.g. "Gemm") kept in float.</summary>
    public IReadOnlyList<string>? SkipLayerTypes { get; init; }

    /// <summary>
    /// The per-layer entries (every other top-level key of a JSON config; <c>override_layer_configs</c> of a simplified
    /// one), in file order.
    /// </summary>
    public IReadOnlyList<LayerQuantConfig> Layers { get; init; } = [];

    /// <summary>
    /// A simplified config's <c>common_config</c> activation algorithm: the default for every layer no override names
    /// (its <c>asymmetric</c> wins over <c>activation_offset</c>, as AMCT ranks them), or null.
    /// </summary>
    public ActivationQuantParams? CommonActivation { get; init; }

    /// <summary>A simplified config's <c>common_config</c> weight settings (<c>arq_quantize</c>), or null.</summary>
    public WeightQuantParams? CommonWeight { get; init; }

    /// <summary>A simplified config's <c>common_config</c> <c>dmq_balancer</c> migration strength: every layer balanced, or null.</summary>
    public double? CommonDmqStrength { get; init; }

    /// <summary>A simplified config's <c>override_layer_types</c>: settings for every layer of an operator type.</summary>
    public IReadOnlyList<LayerTypeQuantConfig> LayerTypes { get; init; } = [];

    /// <summary>A simplified config's <c>tensor_quantize</c>: how the input of a MaxPool or Add node is calibrated.</summary>
    public IReadOnlyList<TensorQuantConfig> TensorQuantize { get; init; } = [];

    /// <summary>Image preprocessing for the data (Amct.Build's "preprocess" extension), or null.</summary>
    public Data.SampleSourceOptions? Preprocess { get; init; }

    /// <summary>The entry of the named layer, or null when the file does not configure it.</summary>
    public LayerQuantConfig? FindLayer(string name) => Layers.FirstOrDefault(layer => layer.Name == name);
}

/// <summary>The settings of one layer: the object under the layer's name.</summary>
/// <param name="Name">The layer (ONNX node) name.</param>
public sealed record LayerQuantConfig(string Name)
{
    /// <summary><c>quant_enable</c>: false keeps the layer in float.</summary>
    public bool? QuantEnable { get; init; }

    /// <summary><c>activation_quant_params</c>, or null when absent.</summary>
    public ActivationQuantParams? Activation { get; init; }

    /// <summary><c>weight_quant_params</c>, or null when absent.</summary>
    public WeightQuantParams? Weight { get; init; }

    /// <summary>
    /// <c>dmq_balancer_param</c> (a simplified config's <c>dmq_balancer</c> <c>migration_strength</c>): DMQ-balance this
    /// layer with that strength, or null.
    /// </summary>
    public double? DmqStrength { get; init; }
}

/// <summary>The settings of every layer of one operator type (<c>override_layer_types</c> of a simplified config).</summary>
/// <param name="OpType">The ONNX operator type, e.g. "Conv".</param>
public sealed record LayerTypeQuantConfig(string OpType)
{
    public ActivationQuantParams? Activation { get; init; }

    public WeightQuantParams? Weight { get; init; }

    /// <summary><c>dmq_balancer</c> <c>migration_strength</c> for every layer of the type, or null.</summary>
    public double? DmqStrength { get; init; }
}

/// <summary>A <c>tensor_quantize</c> entry: the calibration of one input of a node (AMCT: MaxPool or Add).</summary>
/// <param name="LayerName">The node whose input it is.</param>
/// <param name="InputIndex">Which input.</param>
public sealed record TensorQuantConfig(string LayerName, int InputIndex)
{
    public ActivationQuantParams? Activation { get; init; }
}

/// <summary>The activation calibrators: AMCT's IFMR and HFMG, and Amct.Build's MinMax, Percentile and Entropy.</summary>
public enum ActivationAlgorithm
{
    /// <summary><c>ifmr</c>: percentile clipping, then a search for the clip value with the least error (AMCT's default).</summary>
    Ifmr,

    /// <summary><c>hfmg</c>: a histogram, then a search for the range with the least L2 error.</summary>
    Hfmg,

    /// <summary><c>minmax</c>: the observed minimum and maximum.</summary>
    MinMax,

    /// <summary><c>percentile</c>: the given percentiles of the observed values.</summary>
    Percentile,

    /// <summary><c>entropy</c>: a histogram, then the range with the least KL divergence.</summary>
    Entropy,
}

/// <summary>The IFMR clip search range, as fractions of the percentile value: 0 &lt; Start &lt; End.</summary>
public readonly record struct SearchRange(double Start, double End);

/// <summary><c>activation_quant_params</c> of a layer; each value null when not set.</summary>
public sealed record ActivationQuantParams
{
    /// <summary><c>num_bits</c>: always 8.</summary>
    public int? NumBits { get; init; }

    /// <summary><c>act_algo</c>. When null, the next settings layer decides (AMCT's own default is ifmr).</summary>
    public ActivationAlgorithm? Algorithm { get; init; }

    /// <summary><c>asymmetric</c>: overrides the global <c>activation_offset</c> for this layer.</summary>
    public bool? Asymmetric { get; init; }

    /// <summary><c>max_percentile</c> in (0.5, 1] (ifmr, percentile).</summary>
    public double? MaxPercentile { get; init; }

    /// <summary><c>min_percentile</c> in (0.5, 1] (ifmr, percentile).</summary>
    public double? MinPercentile { get; init; }

    /// <summary><c>search_range</c> [start, end] (ifmr).</summary>
    public SearchRange? SearchRange { get; init; }

    /// <summary><c>search_step</c> in (0, end - start] (ifmr).</summary>
    public double? SearchStep { get; init; }

    /// <summary><c>num_of_bins</c>: 1024, 2048, 4096 or 8192 (hfmg, entropy).</summary>
    public int? NumOfBins { get; init; }

    /// <summary>
    /// The algorithm-specific parameters set here that <paramref name="algorithm"/> does not use, by their JSON names.
    /// The reader checks this against <c>act_algo</c> when the file sets it; when it does not, the pipeline calls this
    /// with the algorithm it resolved from the other settings layers.
    /// </summary>
    public IReadOnlyList<string> ParametersNotUsedBy(ActivationAlgorithm algorithm) =>
        SetParameters().Where(name => !ActivationAlgorithms.Uses(algorithm, name)).ToList();

    /// <summary>The algorithm-specific parameters set here, by their JSON names.</summary>
    internal IEnumerable<string> SetParameters()
    {
        if (MaxPercentile is not null)
        {
            yield return "max_percentile";
        }
        if (MinPercentile is not null)
        {
            yield return "min_percentile";
        }
        if (SearchRange is not null)
        {
            yield return "search_range";
        }
        if (SearchStep is not null)
        {
            yield return "search_step";
        }
        if (NumOfBins is not null)
        {
            yield return "num_of_bins";
        }
    }
}

/// <summary>The weight quantizers; only ARQ (symmetric min/max, per tensor or per channel) is supported.</summary>
public enum WeightAlgorithm
{
    /// <summary><c>arq_quantize</c>.</summary>
    Arq,
}

/// <summary><c>weight_quant_params</c> of a layer; each value null when not set.</summary>
public sealed record WeightQuantParams
{
    /// <summary><c>num_bits</c>: always 8.</summary>
    public int? NumBits { get; init; }

    /// <summary><c>wts_algo</c>.</summary>
    public WeightAlgorithm? Algorithm { get; init; }

    /// <summary><c>channel_wise</c>: one scale per output channel (true) or one per tensor (false).</summary>
    public bool? ChannelWise { get; init; }
}
