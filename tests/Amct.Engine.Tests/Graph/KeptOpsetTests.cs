using Amct.Engine.Graph.Opset;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Graph;

/// <summary>
/// Quantizing at the model's own opset (OpsetUpgrade): a model of opset 10–12 whose upgrade is impossible keeps its
/// opset and is quantized per tensor (QuantizeLinear has no axis before 13); below 10 there is no QuantizeLinear.
/// </summary>
[TestClass]
public sealed class KeptOpsetTests
{
    /// <summary>
    /// Conv → Dropout at <paramref name="opset"/>, with the Dropout's mask read as a graph output when
    /// <paramref name="maskRead"/>: a mask read before opset 12 has no opset-13 meaning, so the upgrade refuses it.
    /// </summary>
    private static ModelProto ConvDropout(long opset, bool maskRead)
    {
        var builder = new ModelBuilder(opset)
            .Input("x", DataTypes.Float, 1, 2, 6, 6)
            .Output("y", DataTypes.Float, 1, 3, 4, 4)
            .Initializer(TestTensors.Random("w", [3, 2, 3, 3], seed: 1))
            .Initializer(TestTensors.Random("b", [3], seed: 2))
            .Node("Conv", ["x", "w", "b"], ["c"], "conv")
            .Node("Dropout", ["c"], maskRead ? ["y", "mask"] : ["y"], "dropout");
        if (maskRead)
        {
            builder.Output("mask", DataTypes.Bool, 1, 3, 4, 4);
        }
        return builder.Build();
    }

    private static (QuantizeResult Result, CollectingLog Log, ModelProto Float) Quantize(TempFolder temp, ModelProto model,
        OpsetPolicy? policy)
    {
        var modelPath = Path.Combine(temp.Path, "model.onnx");
        ModelBuilder.Write(model, modelPath);
        var dataPath = Path.Combine(temp.Path, "calib.npy");
        NpyWriter.Write<float>(dataPath, [16, 2, 6, 6], TestTensors.Values(16 * 72, seed: 3));
        var log = new CollectingLog();
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            QualityFloor = false, // the quality floor (AMCT4012-4014) has its own tests; this model is synthetic or its factors foreign
            ModelPath = modelPath,
            CalibrationData = dataPath,
            OutputDirectory = temp.Path,
            Opset = policy,
            SkipEvaluation = true,
        }, log);
        return (result, log, model);
    }

    [TestMethod]
    public void An_opset_11_model_that_cannot_be_upgraded_is_quantized_per_tensor_at_its_own_opset()
    {
        using var temp = new TempFolder();
        var (result, log, floatModel) = Quantize(temp, ConvDropout(11, maskRead: true), policy: null);

        var warning = log.Warnings.Single(w => w.Code == ErrorCodes.OpsetKept);
        StringAssert.Contains(warning.Message, "'dropout' (Dropout)", "the warning names the node the upgrade refused");
        Assert.AreEqual(11L, result.Report.Preparation.KeptOpset);
        Assert.IsNull(result.Report.Preparation.UpgradedFromOpset);
        var layer = result.Report.Layers.Single();
        Assert.AreEqual("conv", layer.Name);
        Assert.AreEqual("per-tensor", layer.WeightGranularity, "DequantizeLinear has no axis before opset 13");
        var quantized = ModelLoader.Load(result.QuantizedModel);
        Assert.AreEqual(11L, quantized.OpsetImport.Single(o => o.Domain.Length == 0).Version);
        Assert.IsFalse(quantized.Graph.Node.SelectMany(n => n.Attribute).Any(a => a.Name == "axis"));
        var input = TestTensors.Random("x", [1, 2, 6, 6], seed: 4);
        var expected = TensorData.ToArray<float>(OrtRunner.Run(floatModel, input)[0]);
        var actual = TensorData.ToArray<float>(OrtRunner.Run(quantized, optimized: true, input)[0]);
        var worst = expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second));
        Assert.IsLessThan(0.05 * expected.Max(Math.Abs), worst, "per-tensor int8 stays within 5 % of the output's range");
    }

    [TestMethod]
    public void OpsetUpgrade_upgrade_refuses_what_cannot_be_upgraded()
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() => Quantize(temp, ConvDropout(11, maskRead: true), OpsetPolicy.Upgrade));
        Assert.AreEqual(ErrorCodes.OperatorUsageNotUpgradable, error.Code);
    }

    [TestMethod]
    public void OpsetUpgrade_keep_keeps_an_upgradable_model_at_its_opset()
    {
        using var temp = new TempFolder();
        var (result, log, _) = Quantize(temp, ConvDropout(10, maskRead: false), OpsetPolicy.Keep);

        Assert.AreEqual(10L, result.Report.Preparation.KeptOpset);
        Assert.IsTrue(log.Warnings.Any(w => w.Code == ErrorCodes.OpsetKept));
        Assert.AreEqual("per-tensor", result.Report.Layers.Single().WeightGranularity);
        Assert.AreEqual(10L, ModelLoader.Load(result.QuantizedModel).OpsetImport.Single(o => o.Domain.Length == 0).Version);
    }

    [TestMethod]
    public void The_default_still_upgrades_what_can_be_upgraded()
    {
        using var temp = new TempFolder();
        var (result, log, _) = Quantize(temp, ConvDropout(10, maskRead: false), policy: null);

        Assert.AreEqual(10L, result.Report.Preparation.UpgradedFromOpset);
        Assert.IsNull(result.Report.Preparation.KeptOpset);
        Assert.IsFalse(log.Warnings.Any(w => w.Code == ErrorCodes.OpsetKept));
        Assert.AreEqual("per-channel", result.Report.Layers.Single().WeightGranularity);
    }

    [TestMethod]
    public void Keeping_an_opset_without_QuantizeLinear_is_refused()
    {
        using var temp = new TempFolder();
        var error = Assert.ThrowsExactly<AmctException>(() => Quantize(temp, ConvDropout(9, maskRead: false), OpsetPolicy.Keep));
        Assert.AreEqual(ErrorCodes.OpsetWithoutQdq, error.Code);
        StringAssert.Contains(error.Message, "opset 9");
    }
}
