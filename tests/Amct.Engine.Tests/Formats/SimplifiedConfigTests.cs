using Amct.Engine.Formats;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Formats;

/// <summary>
/// AMCT's simplified config (<c>.cfg</c>, protobuf text format of <c>AMCTConfig</c>) wherever a JSON config is
/// accepted, told apart by content. The fixtures are written here from AMCT's ONNX schema (amct-spec.md §3.2) in the
/// syntaxes AMCT's users write: <c>key : value</c>, <c>key { }</c> and <c>key : { }</c>, lists, <c>;</c> separators,
/// <c>#</c> comments, single quotes, enum words and repeated keys.
/// </summary>
[TestClass]
public sealed class SimplifiedConfigTests
{
    private const string FullConfig = """
        # global quantize parameters
        batch_num : 2
        activation_offset : true
        skip_layers : "conv_a"
        skip_layers : ['conv_b', "conv_c"]
        skip_layer_types : "MatMul"
        do_fusion : true
        skip_fusion_layers : "conv_d"
        joint_quant : false
        common_config : {
            arq_quantize : { channel_wise : true  quant_bits : 8 }
            ifmr_quantize : {
                search_range_start : 0.8; search_range_end : 1.2; search_step : 0.02
                max_percentile : 0.99999
                min_percentile : 0.9999
                asymmetric : true
                dst_type : INT8
            }
        }
        override_layer_types : {
            layer_type : "Gemm"
            calibration_config : { arq_quantize : { channel_wise : false } }
        }
        override_layer_configs {
            layer_name : 'conv_e'
            calibration_config { hfmg_quantize { num_of_bins : 2048 } }
        }
        tensor_quantize {
            layer_name : "maxpool_1"
            input_index : 0
            ifmr_quantize : { max_percentile : 0.9999 }
        }
        """;

    private static QuantConfig Read(TempFolder folder, string text, string name = "quant.cfg")
    {
        File.WriteAllText(folder.File(name), text);
        return QuantConfigReader.Read(folder.File(name));
    }

    [TestMethod]
    public void Every_supported_field_is_read_into_the_config()
    {
        using var folder = new TempFolder();

        var config = Read(folder, FullConfig);

        Assert.AreEqual(2, config.BatchNum);
        Assert.IsTrue(config.ActivationOffset);
        CollectionAssert.AreEqual(new[] { "conv_a", "conv_b", "conv_c" }, config.SkipLayers!.ToList());
        CollectionAssert.AreEqual(new[] { "MatMul" }, config.SkipLayerTypes!.ToList());
        Assert.IsTrue(config.DoFusion);
        CollectionAssert.AreEqual(new[] { "conv_d" }, config.SkipFusionLayers!.ToList());
        Assert.IsFalse(config.JointQuant);
        Assert.AreEqual(ActivationAlgorithm.Ifmr, config.CommonActivation!.Algorithm);
        Assert.AreEqual(new SearchRange(0.8, 1.2), config.CommonActivation.SearchRange);
        Assert.AreEqual(0.02, config.CommonActivation.SearchStep);
        Assert.AreEqual(0.99999, config.CommonActivation.MaxPercentile);
        Assert.AreEqual(0.9999, config.CommonActivation.MinPercentile);
        Assert.IsTrue(config.CommonActivation.Asymmetric);
        Assert.IsTrue(config.CommonWeight!.ChannelWise);
        Assert.AreEqual("Gemm", config.LayerTypes.Single().OpType);
        Assert.IsFalse(config.LayerTypes.Single().Weight!.ChannelWise);
        Assert.AreEqual("conv_e", config.Layers.Single().Name);
        Assert.AreEqual(ActivationAlgorithm.Hfmg, config.Layers.Single().Activation!.Algorithm);
        Assert.AreEqual(2048, config.Layers.Single().Activation!.NumOfBins);
        Assert.AreEqual(new TensorQuantConfig("maxpool_1", 0), config.TensorQuantize.Single() with { Activation = null });
        Assert.AreEqual(0.9999, config.TensorQuantize.Single().Activation!.MaxPercentile);
    }

    [TestMethod]
    public void A_single_field_given_twice_keeps_the_last_value_as_protobuf_does()
    {
        using var folder = new TempFolder();

        var config = Read(folder, "activation_offset : true\nbatch_num: 3\nactivation_offset : false\n");

        Assert.IsFalse(config.ActivationOffset);
        Assert.AreEqual(3, config.BatchNum);
    }

    [TestMethod]
    [DataRow("config.json", DisplayName = "a .cfg named .json")]
    [DataRow("config", DisplayName = "a .cfg without extension")]
    public void The_format_is_told_by_content_not_by_name(string name)
    {
        using var folder = new TempFolder();

        Assert.AreEqual(4, Read(folder, "# comment first\nbatch_num: 4\n", name).BatchNum);
        Assert.AreEqual(5, Read(folder, "\n  {\"batch_num\": 5}", "json-named.cfg").BatchNum);
    }

    [TestMethod]
    [DataRow("nuq_config { mapping_file: \"a.json\" nuq_quantize { num_steps: 32 } }", "line 2, column 1: nuq_config: NUQ")]
    [DataRow("kv_cache_quant_config { quant_layers: 'm1' }", "line 2, column 1: kv_cache_quant_config: KV-cache")]
    [DataRow("fakequant_precision_mode : FORCE_FP16_QUANT", "line 2, column 1: fakequant_precision_mode: FORCE_FP16_QUANT")]
    [DataRow("common_config { ifmr_quantize { dst_type : INT16 } }", "line 2, column 33: common_config.ifmr_quantize.dst_type: INT16")]
    [DataRow("common_config {\n  arq_quantize { quant_bits : 4 } }", "line 3, column 18: common_config.arq_quantize.quant_bits: 4-bit")]
    [DataRow("override_layer_configs { layer_name: 'a' calibration_config { ada_quantize { } } }", "calibration_config.ada_quantize: AdaRound")]
    [DataRow("joint_quant : true", "line 2, column 1: joint_quant: joint quantization")]
    [DataRow("retrain_weight_quant_config { arq_retrain { channel_wise: true } }", "retrain_weight_quant_config: quantization-aware training")]
    public void AMCT_only_features_are_refused_naming_the_key_with_line_and_column(string body, string expected)
    {
        using var folder = new TempFolder();

        var e = Assert.ThrowsExactly<AmctException>(() => Read(folder, "batch_num: 1\n" + body + "\n"));

        Assert.AreEqual(ErrorCodes.ConfigUnsupported, e.Code);
        StringAssert.Contains(e.Message, expected);
        Assert.AreEqual(folder.File("quant.cfg"), e.Target);
    }

    [TestMethod]
    [DataRow("batch_num: 1\n}\n", ErrorCodes.ConfigSyntaxError, "line 2, column 1: expected a field name")]
    [DataRow("batch_num: 1\nbatch_nmu: 2\n", ErrorCodes.ConfigUnknownKey, "line 2, column 1: batch_nmu: unknown field; the config holds batch_num,")]
    [DataRow("batch_num: 0\n", ErrorCodes.ConfigValueOutOfRange, "line 1, column 1: batch_num: 0 is not allowed")]
    [DataRow("activation_offset: maybe\n", ErrorCodes.ConfigWrongType, "activation_offset: maybe is not a bool")]
    [DataRow("common_config { hfmg_quantize { num_of_bins: 100 } }", ErrorCodes.ConfigValueOutOfRange, "common_config.hfmg_quantize.num_of_bins: 100 is not allowed")]
    [DataRow("common_config { ifmr_quantize { } hfmg_quantize { } }", ErrorCodes.ConfigValueOutOfRange, "not both")]
    [DataRow("common_config { ifmr_quantize { max_percentile: 0.3 } }", ErrorCodes.ConfigValueOutOfRange, "max_percentile: 0.3 is not allowed")]
    [DataRow("override_layer_types { calibration_config { } }", ErrorCodes.ConfigUnknownKey, "layer_type is required")]
    public void Bad_text_is_a_coded_error_with_its_place(string text, string code, string expected)
    {
        using var folder = new TempFolder();

        var e = Assert.ThrowsExactly<AmctException>(() => Read(folder, text));

        Assert.AreEqual(code, e.Code, e.Message);
        StringAssert.Contains(e.Message, expected);
    }

    private static QuantizeResult Digits(TempFolder folder, string output, string? cfg = null) =>
        QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel,
            CalibrationData = TestData.DigitsCalibration,
            ConfigFile = cfg is null ? null : WriteCfg(folder, cfg),
            OutputDirectory = folder.File(output),
            MeasureLatency = false,
        }, new CollectingLog());

    private static string WriteCfg(TempFolder folder, string text)
    {
        File.WriteAllText(folder.File("digits.cfg"), text);
        return folder.File("digits.cfg");
    }

    [TestMethod]
    public void A_cfg_gives_the_same_model_as_the_same_settings_on_the_command_line()
    {
        using var folder = new TempFolder();
        var fromCfg = Digits(folder, "cfg", """
            batch_num : 5
            activation_offset : false
            common_config : {
                arq_quantize : { channel_wise : false }
                hfmg_quantize : { num_of_bins : 4096 }
            }
            """);
        var fromRequest = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel,
            CalibrationData = TestData.DigitsCalibration,
            OutputDirectory = folder.File("request"),
            MeasureLatency = false,
            Activation = ActivationMode.Symmetric,
            ConvWeights = WeightGranularity.PerTensor,
            MatMulWeights = WeightGranularity.PerTensor,
            Method = "hfmg",
            SampleCount = 5 * QuantizationJob.DefaultBatchSize,
        }, new CollectingLog());

        Assert.AreEqual("hfmg", fromCfg.Report.Settings.Method);
        Assert.AreEqual(5L * QuantizationJob.DefaultBatchSize, fromCfg.Report.Calibration.Samples);
        CollectionAssert.AreEqual(File.ReadAllBytes(fromRequest.QuantizedModel), File.ReadAllBytes(fromCfg.QuantizedModel));
    }

    [TestMethod]
    public void Overrides_by_type_and_by_name_rank_as_AMCT_ranks_them()
    {
        using var folder = new TempFolder();

        var result = Digits(folder, "out", """
            override_layer_types : { layer_type : "Gemm"  calibration_config : { arq_quantize : { channel_wise : false } } }
            override_layer_configs : { layer_name : "/fc2/Gemm"  calibration_config : { arq_quantize : { channel_wise : true } } }
            skip_layers : ["/r/r.0/Conv"]
            """);

        var granularity = result.Report.Layers.ToDictionary(l => l.Name, l => l.WeightGranularity);
        Assert.AreEqual("per-tensor", granularity["/fc1/Gemm"]);
        Assert.AreEqual("per-channel", granularity["/fc2/Gemm"], "the layer's own entry wins over its type's");
        Assert.AreEqual("per-channel", granularity["/c1/c1.0/Conv"]);
        Assert.IsFalse(granularity.ContainsKey("/r/r.0/Conv"));
    }
}
