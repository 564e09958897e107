using Amct.Engine.Formats;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Formats;

/// <summary>
/// Opt-in: every file of ../shared/amct-artifacts (real AMCT records and configs from AMCT's repository, Huawei's samples
/// and model zoo, and their copies renamed to the dev models' node names) is accepted, or refused with the code the
/// README documents for what it holds; every real record, renamed to the digits model's node names, drives --record to
/// a model whose factors are the record's.
/// </summary>
[TestClass]
public sealed class SharedAmctArtifactsTests
{
    private const string Accepted = "accepted";

    private static string ArtifactsFolder => SharedData.RequireFolder(
        Path.GetFullPath(Path.Combine(SharedData.RepositoryRoot, "..", "shared", "amct-artifacts")), "the shared AMCT files (../shared/amct-artifacts)");

    /// <summary>What each file gets; a file missing here (a new one) fails the test until it is classified.</summary>
    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        // Records, read and checked for what Amct.Build can apply.
        ["hicann-records/NetConvDeconv_012.txt"] = ErrorCodes.RecordFieldUnsupported, // prune_record
        ["hicann-records/record_SingleConv.txt"] = ErrorCodes.RecordFieldUnsupported, // prune_record
        ["hicann-records/conv_model.txt"] = Accepted,
        ["hicann-records/conv_model_w.txt"] = Accepted,
        // int4 factors (offset_d in [-8, 7]) without act_type/wts_type: nothing in the file says int4, so it reads as int8.
        ["hicann-records/int4_record.txt"] = Accepted,
        ["hicann-records/int8_record.txt"] = Accepted,
        ["hicann-records/model_001.txt"] = Accepted,
        ["hicann-records/model_002.txt"] = Accepted,
        ["hicann-doc-record-examples/record_example_int8.txt"] = Accepted,
        ["hicann-doc-record-examples/record_example_dmq_tensor_balance_factor.txt"] = Accepted,
        ["hicann-doc-record-examples/record_example_prune.txt"] = ErrorCodes.RecordFieldUnsupported,
        ["hicann-doc-record-examples/record_example_selective_prune.txt"] = ErrorCodes.RecordFieldUnsupported,
        ["samples-caffe-resnet50-record/record.txt"] = Accepted,
        ["samples-tf-mobilenetv2-record/record_quantized.txt"] = Accepted,
        // JSON configs.
        ["hicann-json-configs/calibration_config.json"] = Accepted,
        ["hicann-json-configs/int4_calibration_config.json"] = ErrorCodes.ConfigValueOutOfRange,
        ["hicann-json-configs/int4_calibration_config_hfmg.json"] = ErrorCodes.ConfigValueOutOfRange,
        ["hicann-json-configs/int8_calibration_config.json"] = Accepted,
        ["hicann-json-configs/model_001.json"] = Accepted,
        ["hicann-json-configs/model_002.json"] = Accepted,
        ["hicann-json-configs/net_001.json"] = Accepted,
        ["hicann-json-configs/net_dmq.json"] = Accepted,
        ["hicann-json-configs/optimizer_net_001.json"] = Accepted,
        ["hicann-json-configs/qat_net_002.json"] = ErrorCodes.ConfigUnknownKey,
        // Simplified configs.
        ["hicann-cfg/amc_ptq.cfg"] = ErrorCodes.ConfigSyntaxError, // a stray '}' as committed upstream
        ["hicann-cfg/dmq_balancer.cfg"] = Accepted,
        ["hicann-cfg/kv_cache_test_case_config_00.cfg"] = ErrorCodes.ConfigUnsupported,
        ["hicann-cfg/net_001.cfg"] = Accepted,
        ["hicann-cfg/precision_mode_fp16.cfg"] = ErrorCodes.ConfigUnsupported,
        ["hicann-cfg/ptq_a16w8.cfg"] = ErrorCodes.ConfigUnsupported,
        ["hicann-cfg/ptq_a8w4.cfg"] = ErrorCodes.ConfigUnsupported,
        ["hicann-cfg/ptq_rnn_a16w8.cfg"] = ErrorCodes.ConfigUnsupported,
        ["hicann-cfg/ptq_rnn_a8w4.cfg"] = ErrorCodes.ConfigUnsupported,
        ["hicann-cfg/qat_net_001_compressed_quant_only_data_weight.cfg"] = ErrorCodes.ConfigUnsupported,
        ["samples-cfg/caffe_resnet50_nuq_quant.cfg"] = ErrorCodes.ConfigUnsupported,
        ["samples-cfg/onnx_resnet101_nuq_quant.cfg"] = ErrorCodes.ConfigUnsupported,
        ["samples-cfg/pytorch_resnet101_nuq_quant.cfg"] = ErrorCodes.ConfigUnsupported,
        ["samples-cfg/tf_ascend_yolov3_calibration.cfg"] = Accepted,
        ["samples-cfg/tf_resnet50v1_nuq_quant.cfg"] = ErrorCodes.ConfigUnsupported,
        ["samples-cfg/tf_yolo_v3_quant.cfg"] = Accepted,
        ["modelzoo-pytorch-amct-onnx-cfg/dbnet_mobilenetv3_quant.cfg"] = Accepted,
        ["modelzoo-pytorch-amct-onnx-cfg/efficientnetv2_quant.cfg"] = ErrorCodes.ConfigUnsupported, // joint_quant: true
        ["modelzoo-pytorch-amct-onnx-cfg/resnet50_infer_poc_quant.cfg"] = ErrorCodes.ConfigUnsupported,
        ["modelzoo-pytorch-amct-onnx-cfg/resnet50_mlperf_quant.cfg"] = Accepted,
        ["modelzoo-pytorch-amct-onnx-cfg/resnet50_mmlab_quant.cfg"] = ErrorCodes.ConfigUnsupported,
        ["modelzoo-pytorch-amct-onnx-cfg/retinanet_resnet18_amct.cfg"] = Accepted,
        ["modelzoo-pytorch-amct-onnx-cfg/yolov5_config.cfg"] = Accepted,
    };

    /// <summary>Files that describe the others, not AMCT files.</summary>
    private static bool IsDescription(string relative) =>
        Path.GetFileName(relative) is "SOURCE.md" or "README.md" or "ADAPTED.md" or "MAPPING.txt" or "make_adapted.py";

    /// <summary>
    /// The copies renamed to the digits model's node names are applied to it: their channel counts were deliberately
    /// not matched (AMCT1111), the DMQ one's two balance factors fit no digits layer's input channels (AMCT1113), and the tool's own extra tensor entries conflict with
    /// the layer entries' factors (AMCT1007).
    /// </summary>
    private static string ExpectedForAdapted(string relative) =>
        relative.Contains("dmq", StringComparison.Ordinal) ? ErrorCodes.RecordBalanceNotApplicable
        : relative.StartsWith("adapted/records-plus-tool-tensors/", StringComparison.Ordinal) ? ErrorCodes.RecordConflictingFactors
        : ErrorCodes.RecordWeightScaleCount;

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Every_shared_AMCT_file_is_accepted_or_refused_with_its_documented_code()
    {
        var root = ArtifactsFolder;
        var results = new List<(string File, string Outcome, string Expected)>();
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (IsDescription(relative))
            {
                continue;
            }
            var (outcome, expected) = relative switch
            {
                _ when relative.StartsWith("adapted/records", StringComparison.Ordinal) && relative.EndsWith("__digits.txt", StringComparison.Ordinal)
                    => (Outcome(() => ApplyToDigits(path)), ExpectedForAdapted(relative)),
                _ when relative.StartsWith("adapted/", StringComparison.Ordinal) && relative.EndsWith(".txt", StringComparison.Ordinal)
                    => (Outcome(() => ReadRecord(path)), Accepted),
                _ when relative.StartsWith("adapted/json/", StringComparison.Ordinal)
                    => (Outcome(() => QuantConfigReader.Read(path)), Expected.GetValueOrDefault("hicann-json-configs/" + relative.Split('/')[^1].Split("__")[0].Replace("hicann_", "", StringComparison.Ordinal) + ".json", "unclassified")),
                _ when relative.EndsWith(".txt", StringComparison.Ordinal)
                    => (Outcome(() => ReadRecord(path)), Expected.GetValueOrDefault(relative, "unclassified")),
                _ => (Outcome(() => QuantConfigReader.Read(path)), Expected.GetValueOrDefault(relative, "unclassified")),
            };
            results.Add((relative, outcome, expected));
        }
        var table = string.Join("\n", results.Select(r => $"{r.File}: {r.Outcome}{(r.Outcome == r.Expected ? "" : $"  (expected {r.Expected})")}"));
        Console.WriteLine(table);
        Assert.IsGreaterThanOrEqualTo(Expected.Count, results.Count, "every classified file was found");
        Assert.IsTrue(results.All(r => r.Outcome == r.Expected), table);
    }

    private static string Outcome(Action action)
    {
        try
        {
            action();
            return Accepted;
        }
        catch (AmctException e)
        {
            return e.Code;
        }
    }

    /// <summary>Read, and checked for what Amct.Build can apply (data types, DMQ).</summary>
    private static void ReadRecord(string path) => RecordSupport.Check(RecordReader.Read(path), path);

    private static void ApplyToDigits(string record)
    {
        using var temp = new TempFolder();
        QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = TestData.DigitsModel,
            RecordInput = record,
            OutputDirectory = temp.Path,
            MeasureLatency = false,
        }, new CollectingLog());
    }

    /// <summary>The digits model's layers, with the number of output channels of each weight.</summary>
    private static readonly (string Layer, int Channels)[] DigitsLayers =
    [
        ("/c1/c1.0/Conv", 16), ("/c2/c2.0/Conv", 32), ("/r/r.0/Conv", 32), ("/r/r.3/Conv", 32), ("/fc1/Gemm", 64), ("/fc2/Gemm", 10),
    ];

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    [DataRow("hicann-records/conv_model.txt")]
    // Not here: conv_model_w.txt, a weight-only record whose entries hold 4 scale_w each, which fit no digits layer
    // (16, 32, 64 or 10 channels) and give no activation factors; it is read in the test above.
    [DataRow("hicann-records/int8_record.txt")]
    [DataRow("hicann-records/model_001.txt")]
    [DataRow("hicann-records/model_002.txt")]
    [DataRow("hicann-doc-record-examples/record_example_int8.txt")]
    [DataRow("samples-caffe-resnet50-record/record.txt")]
    [DataRow("samples-tf-mobilenetv2-record/record_quantized.txt")]
    public void A_real_record_renamed_to_the_digits_layers_drives_the_model_to_its_factors(string file)
    {
        var entries = RecordReader.Read(Path.Combine(ArtifactsFolder, file));
        // Each digits layer takes a real entry whose scale_w fits its weight (one per channel, or one for the tensor);
        // when none fits, an entry's activation factors only (the weights then come from the model). Tensors the
        // entries leave without factors (a weight-only record's inputs, the residual Add's) are calibrated.
        var withFactors = entries.Where(e => e.ScaleD is not null).ToList();
        var renamed = DigitsLayers.Select((layer, i) =>
        {
            var fitting = entries.Where(e => e.ScaleW.Count == layer.Channels || e.ScaleW.Count == 1).ToList();
            return fitting.Count > 0
                ? fitting[i % fitting.Count] with { Key = layer.Layer }
                : withFactors[i % withFactors.Count] with { Key = layer.Layer, ScaleW = [], OffsetW = [] };
        }).ToList();
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("renamed.txt"), RecordWriter.Format(renamed, "renamed"));

        var log = new CollectingLog();
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = TestData.DigitsModel,
            RecordInput = temp.File("renamed.txt"),
            CalibrationData = TestData.DigitsCalibration,
            OutputDirectory = temp.File("out"),
            MeasureLatency = false,
        }, log);

        var written = RecordReader.Read(result.RecordFile).ToDictionary(r => r.Key);
        foreach (var entry in renamed)
        {
            if (entry.ScaleD is not null)
            {
                Assert.AreEqual(entry.ScaleD, written[entry.Key].ScaleD, $"{file}: {entry.Key} scale_d");
                Assert.AreEqual(entry.OffsetD, written[entry.Key].OffsetD, $"{file}: {entry.Key} offset_d");
            }
            if (entry.ScaleW.Count > 0)
            {
                CollectionAssert.AreEqual(entry.ScaleW.ToList(), written[entry.Key].ScaleW.ToList(), $"{file}: {entry.Key} scale_w");
            }
        }
        Console.WriteLine($"{file}: {renamed.Count(r => r.ScaleW.Count > 0)} of 6 layers with the record's scale_w; warnings: " +
            string.Join("; ", log.Warnings.Select(w => $"{w.Code} {w.Message}")));
    }
}
