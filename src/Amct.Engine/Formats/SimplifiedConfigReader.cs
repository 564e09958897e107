namespace Amct.Engine.Formats;

/// <summary>
/// Reads AMCT's simplified config (a <c>.cfg</c> file: the <c>AMCTConfig</c> message of
/// <c>calibration_config_onnx.proto</c> in protobuf text format) into the same <see cref="QuantConfig"/> a JSON config
/// gives. The schema is AMCT's ONNX one: global settings, <c>common_config</c>, <c>override_layer_types</c>,
/// <c>override_layer_configs</c> and <c>tensor_quantize</c>, each calibration config holding <c>arq_quantize</c> and
/// one of <c>ifmr_quantize</c>/<c>hfmg_quantize</c>. What AMCT has and Amct.Build does not (NUQ, KV-cache, QAT, the FP16
/// precision mode, int4 and int16, AdaRound, joint quantization) is refused with AMCT1127 naming the field.
/// </summary>
internal static class SimplifiedConfigReader
{
    private static readonly string[] GlobalFields =
    [
        "batch_num", "activation_offset", "skip_layers", "skip_layer_types", "do_fusion", "skip_fusion_layers", "joint_quant",
        "fakequant_precision_mode", "common_config", "override_layer_types", "override_layer_configs", "tensor_quantize",
    ];

    private static readonly Dictionary<string, string> UnsupportedGlobalFields = new(StringComparer.Ordinal)
    {
        ["nuq_config"] = "NUQ (non-uniform weight quantization) is not supported; remove nuq_config.",
        ["kv_cache_quant_config"] = "KV-cache quantization (AMCT's language-model feature) is not supported; remove it.",
        ["override_layers_configs"] = "KV-cache layer overrides (kv_data_quant_config) are not supported; remove them.",
        ["retrain_data_quant_config"] = "quantization-aware training configs are not supported (Amct.Build calibrates after training).",
        ["retrain_weight_quant_config"] = "quantization-aware training configs are not supported (Amct.Build calibrates after training).",
        ["prune_config"] = "channel pruning is not supported; remove prune_config.",
    };

    private static readonly string[] CalibrationFields = ["arq_quantize", "ifmr_quantize", "hfmg_quantize", "dmq_balancer"];

    private static readonly Dictionary<string, string> UnsupportedCalibrationFields = new(StringComparer.Ordinal)
    {
        ["ada_quantize"] = "AdaRound (ada_quantize) is not supported yet; use arq_quantize.",
        ["nuq_quantize"] = "NUQ (non-uniform weight quantization) is not supported; use arq_quantize.",
        ["kv_data_quant_config"] = "KV-cache quantization is not supported; remove it.",
    };

    private static readonly Dictionary<string, string> NoUnsupported = new(StringComparer.Ordinal);

    private static readonly Dictionary<string, string> UnsupportedActivationFields = new(StringComparer.Ordinal)
    {
        ["quant_granularity"] = "per-channel activation factors (AMCT's KV-cache quantization) are not supported; remove it.",
    };

    public static QuantConfig Parse(string text, string source)
    {
        var root = TextMessage.Root(TextFormatParser.Parse(text, source, ErrorCodes.ConfigSyntaxError), source);
        root.CheckFields(GlobalFields, UnsupportedGlobalFields);
        if (root.Bool("joint_quant") == true)
        {
            throw root.Error(ErrorCodes.ConfigUnsupported, "joint_quant",
                "joint quantization of Eltwise inputs is not supported; set it to false or remove it.");
        }
        if (root.Word("fakequant_precision_mode") is { } mode && mode != "DEFAULT")
        {
            throw root.Error(ErrorCodes.ConfigUnsupported, "fakequant_precision_mode",
                $"{mode} (FP16 precision of scale_d in AMCT's fake-quant model) is not supported; remove it.");
        }
        var common = root.Message("common_config") is { } commonConfig ? ReadCalibration(commonConfig) : default;
        return new QuantConfig
        {
            BatchNum = root.UInt("batch_num", n => n > 0, "an integer greater than 0"),
            ActivationOffset = root.Bool("activation_offset"),
            DoFusion = root.Bool("do_fusion"),
            SkipFusionLayers = root.Strings("skip_fusion_layers"),
            JointQuant = root.Bool("joint_quant"),
            SkipLayers = root.Strings("skip_layers"),
            SkipLayerTypes = root.Strings("skip_layer_types"),
            CommonActivation = common.Activation,
            CommonWeight = common.Weight,
            CommonDmqStrength = common.DmqStrength,
            LayerTypes = root.Messages("override_layer_types").Select(ReadLayerType).ToList(),
            Layers = root.Messages("override_layer_configs").Select(ReadLayer).ToList(),
            TensorQuantize = root.Messages("tensor_quantize").Select(ReadTensor).ToList(),
        };
    }

    private static LayerTypeQuantConfig ReadLayerType(TextMessage message)
    {
        message.CheckFields(["layer_type", "calibration_config"], NoUnsupported);
        var (activation, weight, dmq) = ReadRequiredCalibration(message);
        return new LayerTypeQuantConfig(Required(message, "layer_type")) { Activation = activation, Weight = weight, DmqStrength = dmq };
    }

    private static LayerQuantConfig ReadLayer(TextMessage message)
    {
        message.CheckFields(["layer_name", "calibration_config"], NoUnsupported);
        var (activation, weight, dmq) = ReadRequiredCalibration(message);
        return new LayerQuantConfig(Required(message, "layer_name")) { Activation = activation, Weight = weight, DmqStrength = dmq };
    }

    /// <summary>A tensor_quantize entry: the node whose input is quantized, which input, and its calibration.</summary>
    private static TensorQuantConfig ReadTensor(TextMessage message)
    {
        message.CheckFields(["layer_name", "input_index", "ifmr_quantize", "hfmg_quantize"], UnsupportedCalibrationFields);
        return new TensorQuantConfig(Required(message, "layer_name"), message.UInt("input_index", _ => true, "an index") ?? 0)
        {
            Activation = ReadActivation(message),
        };
    }

    private static string Required(TextMessage message, string name) =>
        message.Strings(name) is [.., var last] ? last : throw message.Error(ErrorCodes.ConfigUnknownKey, name, $"{name} is required.");

    private static (ActivationQuantParams? Activation, WeightQuantParams? Weight, double? DmqStrength) ReadRequiredCalibration(TextMessage message) =>
        message.Message("calibration_config") is { } calibration
            ? ReadCalibration(calibration)
            : throw message.Error(ErrorCodes.ConfigUnknownKey, "calibration_config", "calibration_config { ... } is required.");

    /// <summary>A <c>CalibrationConfig</c>: the weight algorithm (ARQ), one activation algorithm, and DMQ balancing.</summary>
    private static (ActivationQuantParams? Activation, WeightQuantParams? Weight, double? DmqStrength) ReadCalibration(TextMessage message)
    {
        message.CheckFields(CalibrationFields, UnsupportedCalibrationFields);
        return (ReadActivation(message), message.Message("arq_quantize") is { } arq ? ReadArq(arq) : null,
            message.Message("dmq_balancer") is { } dmq ? ReadDmq(dmq) : null);
    }

    /// <summary><c>dmq_balancer { migration_strength }</c>: AMCT's default strength when the field is absent.</summary>
    private static double ReadDmq(TextMessage dmq)
    {
        dmq.CheckFields(["migration_strength"], NoUnsupported);
        return dmq.Number("migration_strength", QuantConfigReader.IsMigrationStrength, QuantConfigReader.MigrationStrengthRange)
            ?? Quantization.Balancing.BalanceFactors.DefaultStrength;
    }

    private static WeightQuantParams ReadArq(TextMessage arq)
    {
        arq.CheckFields(["channel_wise", "quant_bits"], NoUnsupported);
        if (arq.UInt("quant_bits", _ => true, "") is { } bits and not 8)
        {
            throw arq.Error(ErrorCodes.ConfigUnsupported, "quant_bits",
                $"{bits}-bit weights are not supported; Amct.Build quantizes weights to int8 (quant_bits: 8).");
        }
        return new WeightQuantParams { Algorithm = WeightAlgorithm.Arq, NumBits = 8, ChannelWise = arq.Bool("channel_wise") };
    }

    /// <summary>The activation algorithm of a calibration config (ifmr_quantize or hfmg_quantize, a oneof), or null.</summary>
    private static ActivationQuantParams? ReadActivation(TextMessage message)
    {
        var ifmr = message.Message("ifmr_quantize");
        var hfmg = message.Message("hfmg_quantize");
        if (ifmr is not null && hfmg is not null)
        {
            throw message.Error(ErrorCodes.ConfigValueOutOfRange, "hfmg_quantize",
                "a calibration config holds one activation algorithm: ifmr_quantize or hfmg_quantize, not both.");
        }
        return ifmr is not null ? ReadIfmr(ifmr) : hfmg is not null ? ReadHfmg(hfmg) : null;
    }

    private static ActivationQuantParams ReadIfmr(TextMessage ifmr)
    {
        ifmr.CheckFields(["search_range_start", "search_range_end", "search_step", "max_percentile", "min_percentile", "asymmetric", "dst_type"],
            UnsupportedActivationFields);
        CheckDstType(ifmr);
        var start = ifmr.Number("search_range_start", v => v > 0, "greater than 0") ?? 0.7;
        var end = ifmr.Number("search_range_end", v => v > start, $"greater than search_range_start ({start})") ?? 1.3;
        var range = ifmr.Has("search_range_start") || ifmr.Has("search_range_end") ? new SearchRange(start, end) : (SearchRange?)null;
        if (end <= start)
        {
            throw ifmr.OutOfRange("search_range_start", $"less than search_range_end ({end})");
        }
        return new ActivationQuantParams
        {
            Algorithm = ActivationAlgorithm.Ifmr,
            SearchRange = range,
            SearchStep = ifmr.Number("search_step", step => step > 0 && step <= (end - start) * (1 + 1e-9), "greater than 0 and at most search_range_end - search_range_start"),
            MaxPercentile = ifmr.Number("max_percentile", QuantConfigReader.IsPercentile, "greater than 0.5 and at most 1"),
            MinPercentile = ifmr.Number("min_percentile", QuantConfigReader.IsPercentile, "greater than 0.5 and at most 1"),
            Asymmetric = ifmr.Bool("asymmetric"),
        };
    }

    private static ActivationQuantParams ReadHfmg(TextMessage hfmg)
    {
        hfmg.CheckFields(["num_of_bins", "asymmetric", "dst_type"], UnsupportedActivationFields);
        CheckDstType(hfmg);
        return new ActivationQuantParams
        {
            Algorithm = ActivationAlgorithm.Hfmg,
            NumOfBins = hfmg.UInt("num_of_bins", bins => bins is 1024 or 2048 or 4096 or 8192, "1024, 2048, 4096 or 8192"),
            Asymmetric = hfmg.Bool("asymmetric"),
        };
    }

    private static void CheckDstType(TextMessage message)
    {
        if (message.Word("dst_type") is { } type && type != "INT8")
        {
            throw message.Error(ErrorCodes.ConfigUnsupported, "dst_type",
                $"{type} activations are not supported; Amct.Build quantizes activations to int8 (dst_type: INT8).");
        }
    }
}
