using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>The AMCT JSON config applied by the job: global keys, per-layer overrides, unknown layer names.</summary>
[TestClass]
public sealed class ConfigIntegrationTests
{
    private static QuantizeResult Run(TempFolder temp, string json, CollectingLog? log = null)
    {
        var config = temp.File("amct.json");
        File.WriteAllText(config, json);
        return QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel,
            CalibrationData = TestData.DigitsCalibration,
            OutputDirectory = temp.File("out"),
            ConfigFile = config,
            MeasureLatency = false, // its warning depends on timing; these tests count warnings
        }, log ?? new CollectingLog());
    }

    [TestMethod]
    public void Per_layer_entries_skip_layers_change_granularity_and_algorithm()
    {
        using var temp = new TempFolder();
        var result = Run(temp, """
            {
              "version": 1,
              "batch_num": 2,
              "activation_offset": true,
              "/fc2/Gemm": { "quant_enable": false },
              "/fc1/Gemm": { "weight_quant_params": { "num_bits": 8, "wts_algo": "arq_quantize", "channel_wise": false } },
              "/c2/c2.0/Conv": { "activation_quant_params": { "num_bits": 8, "act_algo": "ifmr", "search_range": [0.8, 1.2], "search_step": 0.02 } }
            }
            """);
        var report = result.Report;
        Assert.AreEqual("/fc2/Gemm", report.Skipped.Single().Name);
        Assert.AreEqual("per-tensor", report.Layers.Single(l => l.Name == "/fc1/Gemm").WeightGranularity);
        Assert.AreEqual("per-channel", report.Layers.Single(l => l.Name == "/c1/c1.0/Conv").WeightGranularity);
        var c2Input = report.Layers.Single(l => l.Name == "/c2/c2.0/Conv").Input;
        Assert.AreEqual("ifmr", report.Tensors.Single(t => t.Name == c2Input).Algorithm);
        Assert.AreEqual(32, report.Calibration.Samples, "batch_num 2 × batch size 16");
    }

    [TestMethod]
    public void Batch_num_counts_batches_of_the_models_fixed_batch_size()
    {
        using var temp = new TempFolder();
        var model = temp.File("fc.onnx");
        ModelBuilder.Write(ModelBuilder.Gemm(), model); // input [1, 4]: the batch is fixed at 1
        NpyWriter.Write(temp.File("X.npy"), [10, 4], Enumerable.Range(0, 40).Select(i => i * 0.1f).ToArray());
        File.WriteAllText(temp.File("amct.json"), """{ "version": 1, "batch_num": 3 }""");
        var log = new CollectingLog();

        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = model,
            CalibrationData = temp.File("X.npy"),
            OutputDirectory = temp.File("out"),
            ConfigFile = temp.File("amct.json"),
            SkipEvaluation = true,
            QualityFloor = false, // a one-layer model that grows when quantized
            MeasureLatency = false, // and is too small to run faster in int8 (AMCT4030)
        }, log);

        Assert.AreEqual(3, result.Report.Calibration.Samples, "batch_num 3 × the model's batch of 1");
        Assert.AreEqual(3L, result.Report.Settings.SampleCount);
        Assert.IsEmpty(log.Warnings, string.Join("; ", log.Warnings.Select(w => w.Message)));
    }

    [TestMethod]
    public void A_layer_name_the_model_does_not_have_is_a_warning()
    {
        using var temp = new TempFolder();
        var log = new CollectingLog();
        Run(temp, """{ "version": 1, "/c9/Conv": { "quant_enable": false } }""", log);
        var warning = log.Warnings.Single();
        Assert.AreEqual(ErrorCodes.UnknownLayerSetting, warning.Code);
        StringAssert.Contains(warning.Message, "'/c9/Conv'");
    }

    [TestMethod]
    public void Parameters_of_another_algorithm_than_the_one_used_are_an_error()
    {
        using var temp = new TempFolder();
        // No act_algo: the job's method (ifmr) applies, and num_of_bins is HFMG's.
        var error = Assert.ThrowsExactly<AmctException>(() =>
            Run(temp, """{ "/c1/c1.0/Conv": { "activation_quant_params": { "num_of_bins": 2048 } } }"""));
        Assert.AreEqual(ErrorCodes.ConfigParameterNotForAlgorithm, error.Code);
        StringAssert.Contains(error.Message, "/c1/c1.0/Conv.activation_quant_params.num_of_bins");
    }

    [TestMethod]
    public void Command_line_settings_override_the_config_globals()
    {
        using var temp = new TempFolder();
        var config = temp.File("amct.json");
        File.WriteAllText(config, """{ "activation_offset": false }""");
        var request = new QuantizeRequest
        {
            ModelPath = TestData.DigitsModel,
            CalibrationData = TestData.DigitsCalibration,
            OutputDirectory = temp.File("out"),
            ConfigFile = config,
        };
        Assert.AreEqual("symmetric", QuantizationJob.Run(request, new CollectingLog()).Report.Settings.ActivationMode);
        var overridden = QuantizationJob.Run(request with { Activation = Amct.Engine.Quantization.ActivationMode.Asymmetric }, new CollectingLog());
        Assert.AreEqual("asymmetric", overridden.Report.Settings.ActivationMode);
    }
}

/// <summary>The AMCT config's "preprocess" extension configures image data like the CLI options.</summary>
[TestClass]
public sealed class ConfigPreprocessTests
{
    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void A_preprocess_object_in_the_config_preprocesses_photos()
    {
        using var temp = new TempFolder();
        var config = temp.File("amct.json");
        File.WriteAllText(config, """{ "version": 1, "preprocess": { "preset": "imagenet-caffe", "crop": 224 } }""");
        var images = Path.Combine(SharedData.PathOf("imagenet-dev/images"), "n014*.JPEG");
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = SharedData.PathOf("squeezenet/squeezenet1.1.onnx"),
            CalibrationData = images,
            OutputDirectory = temp.File("out"),
            ConfigFile = config,
            Method = "minmax",
        }, new CollectingLog());
        Assert.IsGreaterThan(0, result.Report.Calibration.Samples);
        Assert.IsGreaterThan(0.9, result.Report.Evaluation!.Outputs[0].CosineMean);
    }

    [TestMethod]
    public void A_bad_preprocess_setting_is_an_error_in_the_config_naming_the_key()
    {
        using var temp = new TempFolder();
        var config = temp.File("amct.json");
        File.WriteAllText(config, """{ "preprocess": { "preset": "imagenet-cafe" } }""");
        var error = Assert.ThrowsExactly<AmctException>(() => Amct.Engine.Formats.QuantConfigReader.Read(config));
        Assert.AreEqual(config, error.Target);
        StringAssert.Contains(error.Message, "imagenet-caffe");
        File.WriteAllText(config, """{ "preprocess": { "size": 224 } }""");
        var unknown = Assert.ThrowsExactly<AmctException>(() => Amct.Engine.Formats.QuantConfigReader.Read(config));
        Assert.AreEqual(ErrorCodes.ConfigUnknownKey, unknown.Code);
        StringAssert.Contains(unknown.Message, "preprocess.size");
    }
}
