using System.IO.Compression;
using System.Text.Json;
using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.Engine.Tests.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.RealModels;

/// <summary>
/// QDQ models other tools wrote (../shared/models-real/qdq, see its README): PyTorch eager-mode QAT exports that ONNX
/// Runtime refuses as exported, and ONNX Runtime's own quantizer outputs of digits-cnn. Imported with their trained
/// factors, each must load and fuse into int8 kernels and keep the accuracy the exporting tool measured
/// (qdq/info.json). Opt-in: the models are not in the repository.
/// </summary>
[TestClass]
public sealed class QatExportTests
{
    /// <summary>
    /// One test sample of 497 is 0.201 points, so "within 0.2 points" of PyTorch's figure means at most one sample
    /// apart: PyTorch's fake quantization and ONNX's Q/DQ round differently on a few values.
    /// </summary>
    private const double OneSample = 1.0 / 497 + 1e-9;

    private static string Qdq(string file)
    {
        var path = Path.GetFullPath(Path.Combine(SharedData.RepositoryRoot, "..", "shared", "models-real", "qdq", file));
        Assert.IsTrue(File.Exists(path), $"Missing '{path}': the real-model corpus is expected at ../shared/models-real.");
        return path;
    }

    private static JsonElement Info => JsonDocument.Parse(File.ReadAllText(Qdq("info.json"))).RootElement;

    /// <summary>digits_data.npz's test split as .npy files the job reads (the npz's keys name no model input).</summary>
    private static (string X, string Y) TestSplit(TempFolder temp)
    {
        using var archive = ZipFile.OpenRead(Qdq("digits_data.npz"));
        foreach (var name in new[] { "test_x.npy", "test_y.npy" })
        {
            archive.GetEntry(name)!.ExtractToFile(temp.File(name));
        }
        return (temp.File("test_x.npy"), temp.File("test_y.npy"));
    }

    private static QuantizeResult Import(string model, string x, string y, TempFolder temp, string? floatModel = null) =>
        QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = model,
            OutputDirectory = temp.File("out"),
            EvaluationData = x,
            EvaluationLabels = y,
            FloatModel = floatModel,
            MeasureLatency = false,
        }, new CollectingLog());

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.RealModels)]
    [DataRow("dwres_qat_perchannel_op13.onnx", "perchannel_op13_acc_fakequant")]
    [DataRow("dwres_qat_perchannel_op17.onnx", "perchannel_op17_acc_fakequant")]
    [DataRow("dwres_qat_pertensor_op13.onnx", "pertensor_op13_acc_fakequant")]
    public void A_pytorch_qat_export_loads_fuses_and_keeps_its_fake_quant_accuracy(string file, string figure)
    {
        using var temp = new TempFolder();
        var (x, y) = TestSplit(temp);
        var result = Import(Qdq(file), x, y, temp, Qdq("dwres_float.onnx"));

        Assert.IsNotNull(result.Report.Import);
        var accuracy = result.Report.Evaluation!.QuantizedAccuracy!.Top1;
        var pytorch = Info.GetProperty(figure).GetDouble();
        Assert.IsLessThanOrEqualTo(OneSample, Math.Abs(accuracy - pytorch), $"imported {accuracy:P2}, PyTorch fake-quant {pytorch:P2}");
        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        var summary = string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Assert.AreEqual(3, ops.GetValueOrDefault("QLinearConv"), summary);
        Assert.AreEqual(1, ops.GetValueOrDefault("QGemm"), summary);
        Assert.AreEqual(1, ops.GetValueOrDefault("QLinearAdd"), summary);
        Assert.IsFalse(ops.ContainsKey("Conv") || ops.ContainsKey("Gemm") || ops.ContainsKey("Add"), $"a float kernel is left: {summary}");
        Assert.IsLessThan(new FileInfo(Qdq(file)).Length, new FileInfo(result.QuantizedModel).Length, "weights are stored as int8");
    }

    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.RealModels)]
    [DataRow("digitscnn_ort_u8s8_perchannel.onnx")]
    [DataRow("digitscnn_ort_s8s8_symmetric.onnx")]
    public void An_onnx_runtime_quantizer_output_imports_with_its_accuracy_and_its_scales_in_the_record(string file)
    {
        using var temp = new TempFolder();
        var data = Path.Combine(SharedData.RepositoryRoot, "tests", "Data", "digits-cnn");
        var result = Import(Qdq(file), Path.Combine(data, "test_x.npy"), Path.Combine(data, "test_y.npy"), temp);

        var accuracy = result.Report.Evaluation!.QuantizedAccuracy!.Top1;
        var ort = Info.GetProperty(file).GetProperty("acc_ort").GetDouble();
        Assert.AreEqual(ort, accuracy, 1e-9, $"imported {accuracy:P2}, ONNX Runtime {ort:P2}");
        var ops = FusedGraph.OpCounts(result.QuantizedModel);
        var summary = string.Join(", ", ops.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}"));
        Assert.AreEqual(4, ops.GetValueOrDefault("QLinearConv"), summary);
        Assert.AreEqual(2, ops.GetValueOrDefault("QGemm"), summary);

        // Every weighted layer's record entry holds the export's input scale and weight scales, bit for bit.
        var export = ModelLoader.Load(Qdq(file)).Graph;
        var records = RecordReader.Read(result.RecordFile).Where(r => r.ScaleW.Count > 0).ToDictionary(r => r.Key);
        var layers = export.Node.Where(n => n.OpType is "Conv" or "Gemm").ToList();
        Assert.HasCount(layers.Count, records);
        foreach (var layer in layers)
        {
            var record = records[layer.Name];
            Assert.AreEqual(ScalesBehind(export, layer.Input[0]).Single(), record.ScaleD, layer.Name);
            CollectionAssert.AreEqual(ScalesBehind(export, layer.Input[1]), record.ScaleW.ToArray(), layer.Name);
        }
    }

    /// <summary>The scales of the DequantizeLinear that produces <paramref name="value"/> in the export.</summary>
    private static float[] ScalesBehind(GraphProto graph, string value)
    {
        var dq = graph.Node.Single(n => n.OpType == "DequantizeLinear" && n.Output[0] == value);
        return TensorData.ToArray<float>(graph.Initializer.Single(t => t.Name == dq.Input[1]));
    }
}
