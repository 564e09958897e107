using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Tests.Graph;
using Amct.Engine.Tests.Pipeline;
using Amct.TestSupport;
using static Amct.TestSupport.ModelBuilder;
using static Amct.TestSupport.QdqModels;

namespace Amct.Engine.Tests.Quantization.Import;

/// <summary>
/// Importing QDQ (quantization-aware trained) models, on models built in code in the shapes the usual exporters write
/// (PyTorch's fake-quantized float weights with 1-element factors, ONNX Runtime's int8 weights and int32 biases) and on
/// a model amct itself wrote: the trained factors are kept exactly, and ONNX Runtime fuses the result into int8 kernels.
/// </summary>
[TestClass]
public sealed class QatImportTests
{
    private static QuantizeResult Import(ModelProto model, TempFolder temp, QatImportMode mode = QatImportMode.Auto)
    {
        var path = temp.File("model.onnx");
        Write(model, path);
        return QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = path,
            OutputDirectory = temp.File("out"),
            QatImport = mode,
            MeasureLatency = false,
        }, new CollectingLog());
    }

    private static TensorProto Initializer(string modelPath, string name) =>
        ModelLoader.Load(modelPath).Graph.Initializer.Single(t => t.Name == name);

    [TestMethod]
    public void A_torch_style_export_becomes_an_int8_model_ONNX_Runtime_fuses_with_the_trained_factors()
    {
        using var temp = new TempFolder();
        var result = Import(TorchStyle(), temp);

        Assert.IsNotNull(result.Report.Import);
        Assert.AreEqual("trained factors (QAT import)", result.Report.Calibration.Source);
        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        var summary = string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Assert.AreEqual(2, ops.GetValueOrDefault("QLinearConv"), summary);
        Assert.AreEqual(1, ops.GetValueOrDefault("QLinearAdd"), summary);
        Assert.IsFalse(ops.ContainsKey("Conv") || ops.ContainsKey("Relu"), summary);

        // Weights: int8 initializers holding exactly what the export's QuantizeLinear computes, with its scales.
        var model = ModelLoader.Load(result.QuantizedModel);
        var weight = model.Graph.Initializer.Single(t => t.DataType == DataTypes.Int8 && t.Dims.Count == 4 && t.Name.StartsWith("a_wdq", StringComparison.Ordinal));
        var floats = Pattern(36, 0.5);
        float[] scales = [0.5f / 127, 0.45f / 127];
        var expected = floats.Select((w, i) => (sbyte)Math.Clamp(Math.Round(w / scales[i / 18], MidpointRounding.ToEven), -128, 127)).ToArray();
        CollectionAssert.AreEqual(expected, TensorData.ToArray<sbyte>(weight));

        // Activation factors: the 1-element tensors became scalars, the trained values kept; biases are int32.
        var layer = result.Report.Layers.Single(l => l.Name == "a_conv");
        Assert.AreEqual(InputScale, layer.ScaleD);
        Assert.AreEqual(-128, layer.OffsetD);
        var addInput = result.Report.Tensors.Single(t => t.Name == "a_relu");
        Assert.AreEqual(ConvOutScale, addInput.Scale);
        Assert.IsTrue(model.Graph.Node.Where(n => n.OpType == "QuantizeLinear")
            .All(n => Initializer(result.QuantizedModel, n.Input[1]).Dims.Count == 0), "activation scales must be scalars");
        Assert.IsTrue(model.Graph.Initializer.Any(t => t.DataType == DataTypes.Int32), "biases are stored as int32");

        var record = RecordReader.Read(result.RecordFile);
        Assert.AreEqual(InputScale, record.Single(r => r.Key == "a_conv").ScaleD);
        CollectionAssert.AreEqual(scales, record.Single(r => r.Key == "a_conv").ScaleW.ToArray());
    }

    [TestMethod]
    public void An_onnx_runtime_quantizer_export_keeps_its_int8_weights_and_biases_exactly()
    {
        using var temp = new TempFolder();
        var result = Import(OrtStyle(), temp);

        var model = ModelLoader.Load(result.QuantizedModel);
        var conv = model.Graph.Node.Single(n => n.OpType == "Conv");
        var weightDq = model.Graph.Node.Single(n => n.Output[0] == conv.Input[1]);
        CollectionAssert.AreEqual(TensorData.ToArray<sbyte>(Initializer(temp.File("model.onnx"), "w_quantized")),
            TensorData.ToArray<sbyte>(Initializer(result.QuantizedModel, weightDq.Input[0])));
        var biasDq = model.Graph.Node.Single(n => n.Output[0] == conv.Input[2]);
        CollectionAssert.AreEqual(new[] { 120, -75 }, TensorData.ToArray<int>(Initializer(result.QuantizedModel, biasDq.Input[0])));
        Assert.AreEqual(ConvOutScale, result.Report.Tensors.Single(t => t.Name == "conv").Scale);

        // The Gemm had no Q/DQ on its weight: quantized from its float values, and the report says so.
        StringAssert.Contains(string.Join("\n", result.Report.Import!.Changes), "layer 'fc': its weight has no Q/DQ in the export");
        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        Assert.AreEqual(1, ops.GetValueOrDefault("QLinearConv"), string.Join(", ", ops.Keys));
    }

    [TestMethod]
    public void A_model_amct_wrote_imports_back_to_byte_identical_outputs()
    {
        using var temp = new TempFolder();
        var first = QuantizationJob.Run(QuantizationJobTests.DigitsRequest(temp.File("ptq")) with
        {
            EvaluationData = null,
            EvaluationLabels = null,
            MeasureLatency = false,
        }, new CollectingLog());
        var again = QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = first.QuantizedModel,
            OutputDirectory = temp.File("imported"),
            MeasureLatency = false,
        }, new CollectingLog());

        Assert.IsNotNull(again.Report.Import);
        Assert.IsEmpty(again.Report.Import.Changes, string.Join("\n", again.Report.Import.Changes));
        var input = TensorData.FromArray<float>("input", [16, 1, 8, 8], Pattern(16 * 64, 8, 0.2).Select(Math.Abs).ToArray());
        var before = OrtRunner.Run(ModelLoader.Load(first.QuantizedModel), optimized: true, input);
        var after = OrtRunner.Run(ModelLoader.Load(again.QuantizedModel), optimized: true, input);
        CollectionAssert.AreEqual(TensorData.ToRawBytes(before[0]), TensorData.ToRawBytes(after[0]));
        // The record holds the same entries: every layer's and every tensor's factors.
        CollectionAssert.AreEquivalent(RecordReader.Read(first.RecordFile).ToList(), RecordReader.Read(again.RecordFile).ToList());
    }

    [TestMethod]
    public void Concat_inputs_with_different_trained_scales_share_one_covering_both_and_the_report_says_so()
    {
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 1, 2)
            .Input("y", DataTypes.Float, 1, 2)
            .Output("z", DataTypes.Float, 1, 3)
            .Initializer(TensorData.FromArray<float>("sx", [], [0.01f]))
            .Initializer(TensorData.FromArray<float>("sy", [], [0.03f]))
            .Initializer(TensorData.FromArray<byte>("zp", [], [128]))
            .Node("QuantizeLinear", ["x", "sx", "zp"], ["xq"], "xq")
            .Node("DequantizeLinear", ["xq", "sx", "zp"], ["xdq"], "xdq")
            .Node("QuantizeLinear", ["y", "sy", "zp"], ["yq"], "yq")
            .Node("DequantizeLinear", ["yq", "sy", "zp"], ["ydq"], "ydq")
            .Node("Concat", ["xdq", "ydq"], ["c"], "concat", IntAttribute("axis", 1))
            .Initializer("w", [3, 4], Pattern(12))
            .Node("Gemm", ["c", "w"], ["z"], "fc", IntAttribute("transB", 1))
            .Build();
        using var temp = new TempFolder();
        var result = Import(model, temp);

        var scales = result.Report.Tensors.Where(t => t.Name is "x" or "y").Select(t => t.Scale).Distinct().ToList();
        Assert.HasCount(1, scales);
        Assert.IsGreaterThanOrEqualTo(0.03f, scales[0]);
        StringAssert.Contains(string.Join("\n", result.Report.Import!.Changes), "must share one scale and offset");
    }

    [TestMethod]
    public void The_gate_applies_to_an_import_against_the_export_run_as_written()
    {
        using var temp = new TempFolder();
        var path = temp.File("model.onnx");
        Write(TorchStyle(), path);
        var data = temp.File("x.npy");
        NpyWriter.Write(data, [8, 2, 4, 4], Pattern(8 * 32, 1).Select(Math.Abs).ToArray());
        var request = new QuantizeRequest { QualityFloor = false, ModelPath = path, OutputDirectory = temp.File("out"), EvaluationData = data, MeasureLatency = false };

        var passed = QuantizationJob.Run(request with { Gate = new() { MinSqnrDb = 20 } }, new CollectingLog());
        Assert.IsTrue(passed.Report.Gate!.Passed);
        StringAssert.Contains(passed.Report.Import!.Reference, "the export run as written");

        var failed = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(request with { Gate = new() { MinSqnrDb = 150 }, AutoFallback = false }, new CollectingLog()));
        Assert.AreEqual(ErrorCodes.SqnrTooLow, failed.Code);
    }

    [TestMethod]
    public void A_failed_gate_on_an_import_keeps_sensitive_layers_float_with_their_trained_weights_and_the_rest_trained()
    {
        using var temp = new TempFolder();
        var (path, floatPath, data) = (temp.File("model.onnx"), temp.File("float.onnx"), temp.File("x.npy"));
        Write(TorchConvBn(), path);
        Write(FloatBehind(TorchConvBn()), floatPath);
        NpyWriter.Write(data, [8, 2, 6, 6], Pattern(8 * 72, 1, 0.3).Select(Math.Abs).ToArray());
        var request = new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic
            ModelPath = path,
            FloatModel = floatPath,
            OutputDirectory = temp.File("out"),
            EvaluationData = data,
            MeasureLatency = false,
        };
        var plain = QuantizationJob.Run(request, new CollectingLog()).Report.Evaluation!.Outputs[0].SqnrDb;

        // A threshold just above what the whole import reaches against the float model: a conv must go back to float.
        var result = QuantizationJob.Run(request with { Gate = new() { MinSqnrDb = plain + 0.5 } }, new CollectingLog());

        Assert.IsTrue(result.Report.Gate!.Passed);
        var fallback = result.Report.Fallback!;
        Assert.IsTrue(fallback.Passed);
        Assert.HasCount(1, fallback.Reverted);
        var reverted = fallback.Reverted[0];
        Assert.AreEqual(Rebuilder.FallbackReason, result.Report.Skipped.Single(s => s.Name == reverted).Reason);
        Assert.IsGreaterThanOrEqualTo(plain + 0.5, result.Report.Evaluation!.Outputs[0].SqnrDb);

        // The layer in float computes with its dequantized trained weight (trained integers × trained scales) …
        var (layer, inputs, outputs, batchNorm) = reverted == "conv1_conv" ? ("conv1", 2, 3, FirstBatchNorm) : ("conv2", 3, 2, SecondBatchNorm);
        var scales = ConvBnWeightScales(layer, inputs, outputs, batchNorm);
        var dequantized = ScaledWeight(layer, inputs, outputs, batchNorm).Select((w, i) =>
            (float)(Math.Clamp(Math.Round(w / scales[i / (inputs * 9)], MidpointRounding.ToEven), -128, 127) * scales[i / (inputs * 9)])).ToArray();
        var floatConv = ModelLoader.Load(result.QuantizedModel).Graph.Node.Single(n => n.Name == reverted);
        CollectionAssert.AreEqual(dequantized, TensorData.ToArray<float>(Initializer(result.QuantizedModel, floatConv.Input[1])));
        // … and the layer still in int8 keeps the factors the export trained.
        var (kept, input) = reverted == "conv1_conv" ? ("conv2_conv", ConvOutScale) : ("conv1_conv", InputScale);
        Assert.AreEqual(input, result.Report.Layers.Single(l => l.Name == kept).ScaleD);
        var keptConv = ModelLoader.Load(result.QuantizedModel).Graph.Node.Single(n => n.Name == kept);
        var keptWeight = ModelLoader.Load(result.QuantizedModel).Graph.Node.Single(n => n.Output[0] == keptConv.Input[1]);
        Assert.AreEqual(DataTypes.Int8, Initializer(result.QuantizedModel, keptWeight.Input[0]).DataType);
        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        Assert.IsFalse(ops.ContainsKey("BatchNormalization") || ops.ContainsKey("Div"), "the rebuilt model keeps the fold: " + string.Join(", ", ops.Keys));
    }

    [TestMethod]
    public void A_qat_conv_batch_norm_folds_into_one_int8_conv_with_the_trained_integers_and_a_correct_int32_bias()
    {
        using var temp = new TempFolder();
        var result = Import(TorchConvBn(), temp);

        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        var summary = string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Assert.AreEqual(2, ops.GetValueOrDefault("QLinearConv"), summary);
        Assert.IsFalse(ops.Keys.Any(k => k is "BatchNormalization" or "Div" or "Add" or "Conv"), summary);
        var folds = result.Report.Import!.Changes.Where(c => c.StartsWith("QAT Conv+BatchNormalization", StringComparison.Ordinal)).ToList();
        Assert.HasCount(2, folds, string.Join("\n", result.Report.Import.Changes));
        StringAssert.Contains(folds[0], "Div 'conv1_div' → Add 'conv1_add' → BatchNormalization 'conv1_bn' folded into Conv 'conv1_conv'");
        StringAssert.Contains(folds[1], "Div 'conv2_div' → BatchNormalization 'conv2_bn' folded into Conv 'conv2_conv'");

        var model = ModelLoader.Load(result.QuantizedModel);
        foreach (var (layer, inputs, outputs, batchNorm, convBias, inputScale) in new[]
        {
            ("conv1", 2, 3, FirstBatchNorm, new[] { 0.1f, -0.05f, 0.02f }, InputScale),
            ("conv2", 3, 2, SecondBatchNorm, new float[2], ConvOutScale),
        })
        {
            // The weight integers are the ones the export's QuantizeLinear computes from the BN-scaled weight.
            var scales = ConvBnWeightScales(layer, inputs, outputs, batchNorm);
            var expected = ScaledWeight(layer, inputs, outputs, batchNorm)
                .Select((w, i) => (sbyte)Math.Clamp(Math.Round(w / scales[i / (inputs * 9)], MidpointRounding.ToEven), -128, 127)).ToArray();
            var conv = model.Graph.Node.Single(n => n.OpType == "Conv" && n.Name == $"{layer}_conv");
            var weightDq = model.Graph.Node.Single(n => n.Output[0] == conv.Input[1]);
            CollectionAssert.AreEqual(expected, TensorData.ToArray<sbyte>(Initializer(result.QuantizedModel, weightDq.Input[0])), layer);
            CollectionAssert.AreEqual(scales, TensorData.ToArray<float>(Initializer(result.QuantizedModel, weightDq.Input[1])), layer);

            // The int32 bias is the chain's offset f·(b − μ) + β in units of input scale × weight scale.
            var factor = batchNorm.ScaleFactor;
            var biasDq = model.Graph.Node.Single(n => n.Output[0] == conv.Input[2]);
            var bias = TensorData.ToArray<int>(Initializer(result.QuantizedModel, biasDq.Input[0]));
            for (var c = 0; c < outputs; c++)
            {
                var offset = (double)batchNorm.Gamma[c] / Math.Sqrt(batchNorm.Variance[c] + (double)BatchNormParameters.Epsilon)
                    * (convBias[c] - batchNorm.Mean[c]) + batchNorm.Beta[c];
                Assert.AreEqual(Math.Round(offset / (inputScale * scales[c])), bias[c], 1, $"{layer} channel {c} (factor {factor[c]})");
            }
        }

        // Against the export run by ONNX Runtime as written (its fake quantization): within one output step (measured: equal).
        var input = TensorData.FromArray<float>("input", [1, 2, 6, 6], Pattern(72, 1, 0.7).Select(Math.Abs).ToArray());
        var exported = TensorData.ToArray<float>(OrtRunner.Run(TorchConvBn(), input)[0]);
        var imported = TensorData.ToArray<float>(OrtRunner.Run(model, optimized: true, input)[0]);
        Assert.IsGreaterThan(8, exported.Distinct().Count(), "the output must not be trivial: " + string.Join(", ", exported));
        var worst = exported.Zip(imported, (a, b) => Math.Abs(a - b)).Max();
        Assert.IsLessThanOrEqualTo(0.03f + 1e-6f, worst, $"largest difference {worst} (output step 0.03)");
    }

    [TestMethod]
    public void A_batch_norm_after_a_trained_conv_keeps_the_integers_and_scales_the_per_channel_weight_scales()
    {
        // The export left the BatchNormalization unfused (no Div): its factor goes into the trained scales.
        var model = TorchConvBn();
        var div = model.Graph.Node.Single(n => n.Name == "conv2_div");
        model.Graph.Node.Single(n => n.Name == "conv2_bn").Input[0] = div.Input[0];
        model.Graph.Node.Remove(div);
        using var temp = new TempFolder();
        var result = Import(model, temp);

        StringAssert.Contains(string.Join("\n", result.Report.Import!.Changes), "BatchNormalization 'conv2_bn' folded into Conv 'conv2_conv' " +
            "(as ONNX Runtime's fused int8 conv runs it): its trained weight integers are kept, their per-channel scales multiplied");
        var quantized = ModelLoader.Load(result.QuantizedModel);
        var conv = quantized.Graph.Node.Single(n => n.OpType == "Conv" && n.Name == "conv2_conv");
        var weightDq = quantized.Graph.Node.Single(n => n.Output[0] == conv.Input[1]);
        var scales = ConvBnWeightScales("conv2", 3, 2, SecondBatchNorm);
        var expected = ScaledWeight("conv2", 3, 2, SecondBatchNorm)
            .Select((w, i) => (sbyte)Math.Clamp(Math.Round(w / scales[i / 27], MidpointRounding.ToEven), -128, 127)).ToArray();
        CollectionAssert.AreEqual(expected, TensorData.ToArray<sbyte>(Initializer(result.QuantizedModel, weightDq.Input[0])));
        var factor = SecondBatchNorm.ScaleFactor;
        var stored = TensorData.ToArray<float>(Initializer(result.QuantizedModel, weightDq.Input[1]));
        for (var c = 0; c < 2; c++)
        {
            Assert.AreEqual(scales[c] * factor[c], stored[c], 1e-6 * stored[c]);
        }
        Assert.AreEqual(2, FusedGraph.OpCounts(result.QuantizedModel).GetValueOrDefault("QLinearConv"));
    }

    [TestMethod]
    public void Qat_import_on_for_a_model_without_qdq_is_an_error()
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() => Import(Gemm(), temp, QatImportMode.On));
        Assert.AreEqual(ErrorCodes.QatImportNothingToImport, error.Code);
    }

    [TestMethod]
    public void An_integer_graph_output_is_refused_with_a_coded_error_naming_the_node()
    {
        var model = new ModelBuilder()
            .Input("x", DataTypes.Float, 1, 2)
            .Output("q", DataTypes.UInt8, 1, 2)
            .Initializer(TensorData.FromArray<float>("s", [], [0.1f]))
            .Initializer(TensorData.FromArray<byte>("zp", [], [128]))
            .Node("QuantizeLinear", ["x", "s", "zp"], ["q"], "quantize_out")
            .Build();
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() => Import(model, temp));
        Assert.AreEqual(ErrorCodes.QatImportUnsupported, error.Code);
        StringAssert.Contains(error.Message, "quantize_out");
    }
}
