using System.Text;
using Amct.Engine.Formats;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Formats;

/// <summary>Reading AMCT JSON quantization configs into typed settings.</summary>
[TestClass]
public sealed class QuantConfigReaderTests
{
    /// <summary>
    /// The IFMR example of AMCT's create_quant_config documentation (amct-spec.md §3.1), verbatim; the documentation
    /// elides the body of "fc" ("{ ... }"), filled in here like conv1's with per-tensor weights, as its shown
    /// weight_quant_params say.
    /// </summary>
    internal const string AmctDocumentedExample = """
        {"version":1,"batch_num":2,"activation_offset":true,"do_fusion":true,"skip_fusion_layers":[],
         "conv1":{"quant_enable":true,"dmq_balancer_param":0.5,
           "activation_quant_params":{"num_bits":8,"max_percentile":0.999999,"min_percentile":0.999999,
               "search_range":[0.7,1.3],"search_step":0.01,"act_algo":"ifmr","asymmetric":false},
           "weight_quant_params":{"num_bits":8,"wts_algo":"arq_quantize","channel_wise":true}},
         "fc":{"quant_enable":true,"dmq_balancer_param":0.5,
           "activation_quant_params":{"num_bits":8,"max_percentile":0.999999,"min_percentile":0.999999,
               "search_range":[0.7,1.3],"search_step":0.01,"act_algo":"ifmr","asymmetric":false},
           "weight_quant_params":{"num_bits":8,"wts_algo":"arq_quantize","channel_wise":false}}}
        """;

    private static QuantConfig Parse(string json) => QuantConfigReader.Parse(Encoding.UTF8.GetBytes(json), "/cfg/config.json");

    [TestMethod]
    public void AMCTs_documented_example_reads_its_DMQ_parameter_as_the_layers_migration_strength()
    {
        var config = Parse(AmctDocumentedExample);
        CollectionAssert.AreEqual(new double?[] { 0.5, 0.5 }, config.Layers.Select(layer => layer.DmqStrength).ToArray());
    }

    [TestMethod]
    [DataRow(0.1)]
    [DataRow(0.9)]
    public void A_DMQ_parameter_outside_AMCTs_range_is_refused(double strength)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => Parse(
            AmctDocumentedExample.Replace("\"dmq_balancer_param\":0.5", FormattableString.Invariant($"\"dmq_balancer_param\":{strength}"), StringComparison.Ordinal)));
        Assert.AreEqual(ErrorCodes.ConfigValueOutOfRange, error.Code);
        StringAssert.Contains(error.Message, "from 0.2 to 0.8");
    }

    [TestMethod]
    public void AMCTs_documented_example_without_DMQ_is_read_into_typed_settings()
    {
        var config = Parse(AmctDocumentedExample.Replace("\"dmq_balancer_param\":0.5,", "", StringComparison.Ordinal));

        Assert.AreEqual(1, config.Version);
        Assert.AreEqual(2, config.BatchNum);
        Assert.IsTrue(config.ActivationOffset);
        Assert.IsTrue(config.DoFusion);
        Assert.IsNotNull(config.SkipFusionLayers);
        Assert.IsEmpty(config.SkipFusionLayers);
        Assert.IsNull(config.JointQuant);
        Assert.IsNull(config.SkipLayers);
        CollectionAssert.AreEqual(new[] { "conv1", "fc" }, config.Layers.Select(layer => layer.Name).ToArray());

        var ifmr = new ActivationQuantParams
        {
            NumBits = 8,
            Algorithm = ActivationAlgorithm.Ifmr,
            Asymmetric = false,
            MaxPercentile = 0.999999,
            MinPercentile = 0.999999,
            SearchRange = new SearchRange(0.7, 1.3),
            SearchStep = 0.01,
        };
        Assert.AreEqual(new LayerQuantConfig("conv1")
        {
            QuantEnable = true,
            Activation = ifmr,
            Weight = new WeightQuantParams { NumBits = 8, Algorithm = WeightAlgorithm.Arq, ChannelWise = true },
        }, config.FindLayer("conv1"));
        Assert.AreEqual(new WeightQuantParams { NumBits = 8, Algorithm = WeightAlgorithm.Arq, ChannelWise = false }, config.FindLayer("fc")!.Weight);
        Assert.AreEqual(ifmr, config.FindLayer("fc")!.Activation);
        Assert.IsNull(config.FindLayer("conv2"));
    }

    [TestMethod]
    public void AMCTs_documented_HFMG_variant_is_read()
    {
        var config = Parse("""
            {"conv1": {"activation_quant_params":{"num_bits":8,"act_algo":"hfmg","num_of_bins":4096,"asymmetric":false}}}
            """);

        Assert.AreEqual(
            new ActivationQuantParams { NumBits = 8, Algorithm = ActivationAlgorithm.Hfmg, NumOfBins = 4096, Asymmetric = false },
            config.Layers.Single().Activation);
    }

    [TestMethod]
    public void Unset_settings_are_null()
    {
        var config = Parse("""{ "conv1": {}, "conv2": { "activation_quant_params": {}, "weight_quant_params": {} } }""");

        Assert.IsNull(config.Version);
        Assert.IsNull(config.BatchNum);
        Assert.IsNull(config.ActivationOffset);
        Assert.IsNull(config.DoFusion);
        Assert.IsNull(config.SkipFusionLayers);
        Assert.IsNull(config.SkipLayerTypes);
        Assert.AreEqual(new LayerQuantConfig("conv1"), config.Layers[0]);
        Assert.AreEqual(new ActivationQuantParams(), config.Layers[1].Activation);
        Assert.AreEqual(new WeightQuantParams(), config.Layers[1].Weight);
        Assert.IsNull(config.Layers[1].QuantEnable);
        Assert.IsEmpty(Parse("{}").Layers);
    }

    [TestMethod]
    public void Our_extensions_and_joint_quant_false_are_read()
    {
        var config = Parse("""
            { "skip_layers": ["head", "Conv_0"], "skip_layer_types": ["Gemm"], "skip_fusion_layers": ["bn1"],
              "joint_quant": false, "activation_offset": false, "do_fusion": false }
            """);

        CollectionAssert.AreEqual(new[] { "head", "Conv_0" }, config.SkipLayers!.ToArray());
        CollectionAssert.AreEqual(new[] { "Gemm" }, config.SkipLayerTypes!.ToArray());
        CollectionAssert.AreEqual(new[] { "bn1" }, config.SkipFusionLayers!.ToArray());
        Assert.IsFalse(config.JointQuant);
        Assert.IsFalse(config.ActivationOffset);
        Assert.IsFalse(config.DoFusion);
    }

    [TestMethod]
    [DataRow("ifmr", ActivationAlgorithm.Ifmr)]
    [DataRow("hfmg", ActivationAlgorithm.Hfmg)]
    [DataRow("minmax", ActivationAlgorithm.MinMax)]
    [DataRow("percentile", ActivationAlgorithm.Percentile)]
    [DataRow("entropy", ActivationAlgorithm.Entropy)]
    public void Every_activation_algorithm_is_read(string name, ActivationAlgorithm algorithm)
    {
        var config = Parse($$"""{ "l": { "activation_quant_params": { "act_algo": "{{name}}" } } }""");

        Assert.AreEqual(algorithm, config.Layers.Single().Activation!.Algorithm);
        Assert.AreEqual(name, ActivationAlgorithms.NameOf(algorithm));
    }

    [TestMethod]
    public void Parameters_are_accepted_by_the_algorithms_that_use_them()
    {
        var percentile = Parse("""{ "l": { "activation_quant_params": { "act_algo": "percentile", "max_percentile": 0.9999, "min_percentile": 1 } } }""");
        var entropy = Parse("""{ "l": { "activation_quant_params": { "act_algo": "entropy", "num_of_bins": 2048 } } }""");

        Assert.AreEqual(0.9999, percentile.Layers[0].Activation!.MaxPercentile);
        Assert.AreEqual(1.0, percentile.Layers[0].Activation!.MinPercentile);
        Assert.AreEqual(2048, entropy.Layers[0].Activation!.NumOfBins);
    }

    [TestMethod]
    public void Without_act_algo_the_parameters_stay_unchecked_for_the_pipeline()
    {
        // The algorithm comes from another settings layer; the pipeline asks which parameters it would ignore.
        var activation = Parse("""{ "l": { "activation_quant_params": { "search_step": 0.05, "max_percentile": 0.99 } } }""")
            .Layers.Single().Activation!;

        Assert.IsNull(activation.Algorithm);
        Assert.IsEmpty(activation.ParametersNotUsedBy(ActivationAlgorithm.Ifmr));
        CollectionAssert.AreEqual(new[] { "search_step" }, activation.ParametersNotUsedBy(ActivationAlgorithm.Percentile).ToArray());
        CollectionAssert.AreEqual(new[] { "max_percentile", "search_step" }, activation.ParametersNotUsedBy(ActivationAlgorithm.MinMax).ToArray());
    }

    [TestMethod]
    public void Search_step_is_bounded_by_the_search_range_width()
    {
        // 0.3 - 0.1 is 0.19999999999999998 in binary; a step of exactly the width is still allowed.
        var activation = Parse("""{ "l": { "activation_quant_params": { "search_range": [0.1, 0.3], "search_step": 0.2 } } }""")
            .Layers.Single().Activation!;

        Assert.AreEqual(new SearchRange(0.1, 0.3), activation.SearchRange);
        Assert.AreEqual(0.2, activation.SearchStep);
        Assert.AreEqual(0.6, Parse("""{ "l": { "activation_quant_params": { "search_step": 0.6 } } }""").Layers[0].Activation!.SearchStep);
    }

    [TestMethod]
    public void A_file_is_read_from_disk_with_or_without_a_byte_order_mark()
    {
        using var temp = new TempFolder();
        var path = temp.File("config.json");
        File.WriteAllText(path, """{ "batch_num": 4 }""", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        Assert.AreEqual(4, QuantConfigReader.Read(path).BatchNum);
        File.WriteAllText(path, """{ "batch_num": 5 }""", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Assert.AreEqual(5, QuantConfigReader.Read(path).BatchNum);
    }
}
