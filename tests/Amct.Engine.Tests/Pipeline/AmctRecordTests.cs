using System.Globalization;
using System.Text;
using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// Records as AMCT writes them (ONNX schema: layer entries only, an average pool recorded by its node with its input's
/// factors and weight factors 1/0, one scale_w for a fully connected layer) drive --record. The fixtures are written
/// here from AMCT's record schema, in its documented layouts.
/// </summary>
[TestClass]
public sealed class AmctRecordTests
{
    /// <summary>
    /// X [1,2,6,6] → conv1 (4 channels) → Relu → MaxPool → conv2 (3 channels) → Relu → GlobalAveragePool → Flatten →
    /// fc (2 outputs) → Y. Every quantized tensor is the input of a layer or of the pool, or carried by a pass-through op.
    /// </summary>
    private static ModelProto SmallCnn() => new ModelBuilder()
        .Input("X", DataTypes.Float, 1, 2, 6, 6)
        .Output("Y", DataTypes.Float, 1, 2)
        .Initializer("W1", [4, 2, 3, 3], Pattern(72))
        .Initializer("B1", [4], Pattern(4, 0.1))
        .Initializer("W2", [3, 4, 1, 1], Pattern(12, 0.5, 1))
        .Initializer("W3", [2, 3], Pattern(6, 0.5, 2))
        .Node("Conv", ["X", "W1", "B1"], ["A"], "conv1", IntsAttribute("pads", 1, 1, 1, 1))
        .Node("Relu", ["A"], ["R"], "relu1")
        .Node("MaxPool", ["R"], ["M"], "maxpool", IntsAttribute("kernel_shape", 2, 2), IntsAttribute("strides", 2, 2))
        .Node("Conv", ["M", "W2"], ["B"], "conv2")
        .Node("Relu", ["B"], ["S"], "relu2")
        .Node("GlobalAveragePool", ["S"], ["G"], "gap")
        .Node("Flatten", ["G"], ["F"], "flatten")
        .Node("Gemm", ["F", "W3"], ["Y"], "fc", IntAttribute("transB", 1))
        .Build();

    /// <summary>
    /// A record in the layout of AMCT's documentation: one line per value block, 9 significant digits, dst_type, a
    /// per-tensor scale_w for conv2 and fc, the pool recorded by node with scale_w 1 and offset_w 0.
    /// </summary>
    private const string AmctStyleRecord = """
        record {
          key: "conv1"
          value { scale_d: 0.00784313772 offset_d: -1 scale_w: 0.00393700786 scale_w: 0.00390625 scale_w: 0.00370078744 scale_w: 0.00354330707 offset_w: 0 offset_w: 0 offset_w: 0 offset_w: 0 dst_type: "INT8" }
        }
        record {
          key: "conv2"
          value { scale_d: 0.0117647061 offset_d: -128 scale_w: 0.00393700786 offset_w: 0 }
        }
        record {
          key: "gap"
          value { scale_d: 0.00784313772 offset_d: -128 scale_w: 1 offset_w: 0 }
        }
        record {
          key: "fc"
          value { scale_d: 0.00392156886 offset_d: -128 scale_w: 0.00393700786 offset_w: 0 }
        }

        """;

    private static (string Model, TempFolder Folder) WriteModel(ModelProto model)
    {
        var folder = new TempFolder();
        var path = folder.File("model.onnx");
        Write(model, path);
        return (path, folder);
    }

    private static QuantizeResult RunWithRecord(string model, string recordText, string output, CollectingLog log, string? data = null)
    {
        var recordPath = Path.Combine(output, "input.record.txt");
        Directory.CreateDirectory(output);
        File.WriteAllText(recordPath, recordText);
        return QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = model,
            RecordInput = recordPath,
            CalibrationData = data,
            OutputDirectory = output,
            MeasureLatency = false,
        }, log);
    }

    private static void AssertSameFactors(IReadOnlyList<LayerRecord> expected, IReadOnlyList<LayerRecord> actual)
    {
        foreach (var entry in expected)
        {
            var written = actual.SingleOrDefault(r => r.Key == entry.Key);
            Assert.IsNotNull(written, $"no entry for '{entry.Key}' in the written record");
            Assert.AreEqual(entry.ScaleD, written.ScaleD, entry.Key);
            Assert.AreEqual(entry.OffsetD, written.OffsetD, entry.Key);
            CollectionAssert.AreEqual(entry.ScaleW.ToList(), written.ScaleW.ToList(), entry.Key);
        }
    }

    [TestMethod]
    public void An_AMCT_style_record_with_layer_entries_only_drives_the_model_to_its_factors()
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var log = new CollectingLog();

        var result = RunWithRecord(model, AmctStyleRecord, folder.File("out"), log);

        Assert.IsEmpty(log.Warnings, string.Join("\n", log.Warnings));
        var given = RecordReader.Parse(AmctStyleRecord, "given");
        var written = RecordReader.Read(result.RecordFile);
        AssertSameFactors(given, written);
        Assert.HasCount(4, written, "layer and pool entries cover every tensor: no tensor entries");
        Assert.AreEqual("per-tensor", result.Report.Layers.Single(l => l.Name == "conv2").WeightGranularity);
        Assert.AreEqual("per-channel", result.Report.Layers.Single(l => l.Name == "conv1").WeightGranularity);
    }

    [TestMethod]
    public void The_engine_writes_an_average_pool_by_its_node_as_AMCT_does()
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;

        var result = RunWithRecord(model, AmctStyleRecord, folder.File("out"), new CollectingLog());

        var gap = RecordReader.Read(result.RecordFile).Single(r => r.Key == "gap");
        Assert.AreEqual(0.00784313772f, gap.ScaleD);
        CollectionAssert.AreEqual(new[] { 1f }, gap.ScaleW.ToList());
        CollectionAssert.AreEqual(new[] { 0 }, gap.OffsetW.ToList());
        Assert.IsNull(gap.IsTensorQuantize);
    }

    [TestMethod]
    public void A_record_the_engine_writes_and_one_in_AMCT_layout_with_the_same_factors_give_the_same_model()
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var engine = RunWithRecord(model, AmctStyleRecord, folder.File("engine"), new CollectingLog());
        var engineRecord = File.ReadAllText(engine.RecordFile);
        var fromEngineRecord = RunWithRecord(model, engineRecord, folder.File("again"), new CollectingLog());

        // The same factors in AMCT's documentation layout: a value block on one line, fields reordered, dst_type added.
        var amct = new StringBuilder();
        foreach (var r in RecordReader.Parse(engineRecord, "engine"))
        {
            amct.Append(CultureInfo.InvariantCulture, $"record {{ key: \"{r.Key}\" value {{ ");
            amct.Append(string.Concat(r.ScaleW.Select(s => $"scale_w: {s.ToString("E8", CultureInfo.InvariantCulture)} ")));
            amct.Append(string.Concat(r.OffsetW.Select(o => $"offset_w: {o} ")));
            amct.Append(CultureInfo.InvariantCulture, $"offset_d: {r.OffsetD} scale_d: {r.ScaleD!.Value.ToString("G9", CultureInfo.InvariantCulture)} dst_type: \"INT8\" }} }}\n");
        }
        var fromAmctRecord = RunWithRecord(model, amct.ToString(), folder.File("amct"), new CollectingLog());

        CollectionAssert.AreEqual(File.ReadAllBytes(fromEngineRecord.QuantizedModel), File.ReadAllBytes(fromAmctRecord.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(engine.QuantizedModel), File.ReadAllBytes(fromAmctRecord.QuantizedModel));
    }

    [TestMethod]
    [DataRow("scale_w: 0.1 scale_w: 0.1 offset_w: 0 offset_w: 0", "2 scale_w values", DisplayName = "2 scales for 3 channels")]
    [DataRow("scale_w: 0.1 scale_w: 0.1 scale_w: 0.1 scale_w: 0.1 offset_w: 0 offset_w: 0 offset_w: 0 offset_w: 0", "4 scale_w values", DisplayName = "4 scales for 3 channels")]
    public void Weight_scales_that_fit_neither_the_tensor_nor_its_channels_are_refused(string scales, string expected)
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var record = AmctStyleRecord.Replace("scale_w: 0.00393700786 offset_w: 0 }\n}\nrecord {\n  key: \"gap\"",
            $"{scales} }}\n}}\nrecord {{\n  key: \"gap\"", StringComparison.Ordinal);
        Assert.AreNotEqual(AmctStyleRecord, record);

        var e = Assert.ThrowsExactly<AmctException>(() => RunWithRecord(model, record, folder.File("out"), new CollectingLog()));

        Assert.AreEqual(ErrorCodes.RecordWeightScaleCount, e.Code);
        StringAssert.Contains(e.Message, "'conv2'");
        StringAssert.Contains(e.Message, expected);
        StringAssert.Contains(e.Message, "1 (per tensor) or 3 (one per output channel)");
        Assert.IsFalse(File.Exists(folder.File("out/model.int8.onnx")), "nothing written");
    }

    [TestMethod]
    [DataRow("dst_type: \"INT4\"", "dst_type")]
    [DataRow("act_type: \"INT16\"", "act_type")]
    [DataRow("wts_type: \"INT4\"", "wts_type")]
    public void Data_types_other_than_int8_are_refused(string field, string name)
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var record = AmctStyleRecord.Replace("dst_type: \"INT8\"", field, StringComparison.Ordinal);

        var e = Assert.ThrowsExactly<AmctException>(() => RunWithRecord(model, record, folder.File("out"), new CollectingLog()));

        Assert.AreEqual(ErrorCodes.RecordDataTypeUnsupported, e.Code);
        StringAssert.Contains(e.Message, $"record 'conv1': {name}");
    }

    [TestMethod]
    public void Seven_bit_weights_stored_as_int8_are_applied()
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var record = AmctStyleRecord.Replace("dst_type: \"INT8\"", "wts_type: \"INT7\"", StringComparison.Ordinal);

        var result = RunWithRecord(model, record, folder.File("out"), new CollectingLog());

        AssertSameFactors(RecordReader.Parse(record, "given"), RecordReader.Read(result.RecordFile));
    }

    /// <summary>The AMCT-style record with DMQ balance factors on fc (whose input has 3 channels).</summary>
    private static string WithBalanceFactors(params string[] factors)
    {
        var record = AmctStyleRecord.Replace("scale_d: 0.00392156886 offset_d: -128 scale_w: 0.00393700786 offset_w: 0",
            "scale_d: 0.00392156886 offset_d: -128 scale_w: 0.00393700786 offset_w: 0 " +
            string.Join(" ", factors.Select(f => "tensor_balance_factor: " + f)), StringComparison.Ordinal);
        Assert.AreNotEqual(AmctStyleRecord, record);
        return record;
    }

    [TestMethod]
    public void A_DMQ_balanced_record_is_applied_and_written_back()
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var record = WithBalanceFactors("0.9", "1.1", "1");

        var result = RunWithRecord(model, record, folder.File("out"), new CollectingLog());

        AssertSameFactors(RecordReader.Parse(record, "given"), RecordReader.Read(result.RecordFile));
        CollectionAssert.AreEqual(new[] { 0.9f, 1.1f, 1f },
            RecordReader.Read(result.RecordFile).Single(r => r.Key == "fc").TensorBalanceFactor.ToArray());
    }

    [TestMethod]
    public void A_DMQ_record_whose_factors_do_not_fit_the_layer_is_refused()
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var record = WithBalanceFactors("0.9", "1.1");

        var e = Assert.ThrowsExactly<AmctException>(() => RunWithRecord(model, record, folder.File("out"), new CollectingLog()));

        Assert.AreEqual(ErrorCodes.RecordBalanceNotApplicable, e.Code);
        StringAssert.Contains(e.Message, "'fc'");
        StringAssert.Contains(e.Message, "2 tensor_balance_factor values");
    }

    [TestMethod]
    public void Entries_naming_no_quantized_node_warn_and_are_ignored()
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var record = AmctStyleRecord
            + "record { key: \"layer9.conv\" value { scale_d: 0.1 offset_d: 0 scale_w: 0.1 offset_w: 0 } }\n"
            + "record { key: \"relu1\" value { scale_d: 0.1 offset_d: 0 } }\n";
        var log = new CollectingLog();

        var result = RunWithRecord(model, record, folder.File("out"), log);

        var warnings = log.Warnings.Where(w => w.Code == ErrorCodes.RecordUnknownKey).Select(w => w.Message).ToList();
        Assert.HasCount(2, warnings, string.Join("\n", log.Warnings));
        StringAssert.Contains(warnings[0], "'layer9.conv' names no node");
        StringAssert.Contains(warnings[1], "names node 'relu1' (Relu), which is not quantized");
        AssertSameFactors(RecordReader.Parse(AmctStyleRecord, "given"), RecordReader.Read(result.RecordFile));
    }

    /// <summary>The digits model's calibrated record without its tensor entries: what AMCT's writer would hold.</summary>
    private static (string LayerEntries, QuantizeResult Calibrated) DigitsLayerEntries(TempFolder temp)
    {
        var calibrated = QuantizationJob.Run(QuantizationJobTests.DigitsRequest(temp.File("calibrated")) with
        {
            EvaluationData = null,
            EvaluationLabels = null,
            MeasureLatency = false,
        }, new CollectingLog());
        var layers = RecordReader.Read(calibrated.RecordFile).Where(r => r.IsTensorQuantize != true).ToList();
        Assert.HasCount(6, layers);
        return (RecordWriter.Format(layers, "digits"), calibrated);
    }

    [TestMethod]
    public void Tensors_a_record_does_not_cover_are_calibrated_when_there_is_data_and_the_model_is_the_same()
    {
        using var temp = new TempFolder();
        var (record, calibrated) = DigitsLayerEntries(temp);
        var log = new CollectingLog();

        var result = RunWithRecord(TestData.DigitsModel, record, temp.File("from-record"), log, TestData.DigitsCalibration);

        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.RecordTensorsNotCovered);
        StringAssert.Contains(warning.Message, "'/r/r.3/Conv_output_0'");
        StringAssert.Contains(warning.Message, "calibrating them");
        CollectionAssert.AreEqual(File.ReadAllBytes(calibrated.QuantizedModel), File.ReadAllBytes(result.QuantizedModel));
    }

    [TestMethod]
    public void Tensors_a_record_does_not_cover_stay_float_without_data()
    {
        using var temp = new TempFolder();
        var (record, _) = DigitsLayerEntries(temp);
        var log = new CollectingLog();

        var result = RunWithRecord(TestData.DigitsModel, record, temp.File("from-record"), log);

        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.RecordTensorsNotCovered);
        StringAssert.Contains(warning.Message, "'/r/r.3/Conv_output_0'");
        StringAssert.Contains(warning.Message, "stay in float");
        Assert.DoesNotContain("/r/r.3/Conv_output_0", result.Report.Tensors.Select(t => t.Name).ToList());
        AssertSameFactors(RecordReader.Parse(record, "given"), RecordReader.Read(result.RecordFile));
        Assert.AreEqual(0, result.Report.Calibration.Samples);
    }

    [TestMethod]
    public void A_layer_without_an_entry_stays_float_without_data()
    {
        var (model, folder) = WriteModel(SmallCnn());
        using var _ = folder;
        var withoutConv2 = string.Concat(RecordReader.Parse(AmctStyleRecord, "given").Where(r => r.Key != "conv2")
            .Select(r => RecordWriter.Format([r], "given")));
        var log = new CollectingLog();

        var result = RunWithRecord(model, withoutConv2, folder.File("out"), log);

        StringAssert.Contains(log.Warnings.Single(w => w.Code == ErrorCodes.RecordTensorsNotCovered).Message, "layers 'conv2'");
        Assert.AreEqual("the record gives no factors for its input", result.Report.Skipped.Single(s => s.Name == "conv2").Reason);
        Assert.DoesNotContain("conv2", RecordReader.Read(result.RecordFile).Select(r => r.Key).ToList());
    }

    /// <summary>X [1,2,4,4] → conv (3 channels) → BatchNormalization → Y.</summary>
    private static ModelProto ConvThenBatchNorm() => new ModelBuilder()
        .Input("X", DataTypes.Float, 1, 2, 4, 4)
        .Output("Y", DataTypes.Float, 1, 3, 4, 4)
        .Initializer("W", [3, 2, 1, 1], Pattern(6))
        .Initializer("gamma", [3], [1.5f, 0.5f, 2f])
        .Initializer("beta", [3], [0.1f, -0.2f, 0.3f])
        .Initializer("mean", [3], [0.05f, 0f, -0.1f])
        .Initializer("var", [3], [1f, 4f, 0.25f])
        .Node("Conv", ["X", "W"], ["C"], "conv")
        .Node("BatchNormalization", ["C", "gamma", "beta", "mean", "var"], ["Y"], "bn")
        .Build();

    [TestMethod]
    [DataRow(true, 0)]
    [DataRow(false, 1)]
    public void A_layer_recorded_with_skip_fusion_keeps_its_batch_normalization(bool skipFusion, int folded)
    {
        var (model, folder) = WriteModel(ConvThenBatchNorm());
        using var _ = folder;
        var record = $"record {{ key: \"conv\" value {{ scale_d: 0.01 offset_d: 0 scale_w: 0.004 offset_w: 0 skip_fusion: {(skipFusion ? "true" : "false")} }} }}\n";

        var result = RunWithRecord(model, record, folder.File("out"), new CollectingLog());

        Assert.HasCount(folded, result.Report.Preparation.FoldedBatchNorms);
        AssertSameFactors(RecordReader.Parse(record, "given"), RecordReader.Read(result.RecordFile));
    }
}
