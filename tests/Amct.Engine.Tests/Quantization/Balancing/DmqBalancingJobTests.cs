using Amct.Engine.Formats;
using Amct.Engine.Onnx;
using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Quantization.Balancing;

/// <summary>DMQ balancing through the whole job: accuracy, the record's tensor_balance_factor, AMCT configs.</summary>
[TestClass]
public sealed class DmqBalancingJobTests
{
    [TestMethod]
    public void Balancing_an_outlier_channel_raises_the_output_SQNR()
    {
        using var temp = new TempFolder();
        var plain = QuantizationJob.Run(Request(temp, "plain"), new CollectingLog());
        var log = new CollectingLog();
        var balanced = QuantizationJob.Run(Request(temp, "balanced") with { DmqBalancing = true }, log);

        var (before, after) = (plain.Report.Evaluation!.Outputs[0].SqnrDb, balanced.Report.Evaluation!.Outputs[0].SqnrDb);
        Assert.IsGreaterThan(before + 6, after, $"SQNR {before:0.00} dB without DMQ, {after:0.00} dB with it");
        Assert.IsTrue(log.Messages.Any(m => m.Contains("DMQ: 'h' balanced for 'fc2'", StringComparison.Ordinal)
            && m.Contains("folded into 'fc1' (MatMul)", StringComparison.Ordinal)), string.Join("\n", log.Messages));
        var report = balanced.Report.Balanced!.Single();
        Assert.AreEqual("h", report.Tensor);
        Assert.AreEqual("folded into 'fc1' (MatMul)", report.Placement);
        Assert.IsNull(plain.Report.Balanced);
        // fc1's input (the data) is not dominated by a channel: left as it is.
        var records = RecordReader.Read(balanced.RecordFile).ToDictionary(r => r.Key);
        Assert.HasCount(DmqModels.Width, records["fc2"].TensorBalanceFactor);
        Assert.IsEmpty(records["fc1"].TensorBalanceFactor);
        Assert.IsEmpty(RecordReader.Read(plain.RecordFile).Single(r => r.Key == "fc2").TensorBalanceFactor);
    }

    [TestMethod]
    public void An_inserted_Mul_stays_float_and_the_layer_after_it_is_int8()
    {
        using var temp = new TempFolder();
        var plain = QuantizationJob.Run(Request(temp, "plain", hiddenIsOutput: true), new CollectingLog());
        var balanced = QuantizationJob.Run(Request(temp, "balanced", hiddenIsOutput: true) with { DmqBalancing = true }, new CollectingLog());

        var y = (plain.Report.Evaluation!.Outputs.Single(o => o.Output == "y").SqnrDb,
            balanced.Report.Evaluation!.Outputs.Single(o => o.Output == "y").SqnrDb);
        // h being a graph output, its int8 pair ends at that output and y's error is mostly the weights': not worse is the claim.
        Assert.IsGreaterThanOrEqualTo(y.Item1, y.Item2, $"SQNR of y {y.Item1:0.00} dB without DMQ, {y.Item2:0.00} dB with it");
        Assert.Contains("fc2", balanced.Report.Layers.Select(l => l.Name).ToList());
        Assert.IsEmpty(balanced.Report.Skipped.Where(s => s.OpType == "Mul").ToList());
        var model = ModelLoader.Load(balanced.QuantizedModel);
        var mul = model.Graph.Node.Single(n => n.OpType == "Mul");
        Assert.IsFalse(model.Graph.Node.Any(n => n.OpType == "DequantizeLinear" && n.Output[0] == mul.Input[1]), "the 1/s constant stays float");
    }

    [TestMethod]
    public void Off_by_default_the_model_and_record_are_those_without_the_stage()
    {
        using var temp = new TempFolder();
        var stages = QuantizationJob.Stages();
        stages.RemoveAll(s => s.Name == "balance");
        var without = QuantizationJob.Run(Request(temp, "without"), new CollectingLog(), stages);
        var with = QuantizationJob.Run(Request(temp, "with"), new CollectingLog());

        CollectionAssert.AreEqual(File.ReadAllBytes(without.QuantizedModel), File.ReadAllBytes(with.QuantizedModel));
        CollectionAssert.AreEqual(File.ReadAllBytes(without.RecordFile), File.ReadAllBytes(with.RecordFile));
    }

    [TestMethod]
    public void A_record_with_balance_factors_rebuilds_the_balanced_model_without_data()
    {
        using var temp = new TempFolder();
        var balanced = QuantizationJob.Run(Request(temp, "balanced") with { DmqBalancing = true }, new CollectingLog());
        var fromRecord = QuantizationJob.Run(Request(temp, "record") with
        {
            CalibrationData = null,
            RecordInput = balanced.RecordFile,
        }, new CollectingLog());

        CollectionAssert.AreEqual(File.ReadAllBytes(balanced.QuantizedModel), File.ReadAllBytes(fromRecord.QuantizedModel));
    }

    [TestMethod]
    public void An_AMCT_config_asking_for_DMQ_balances_the_layer_it_names()
    {
        using var temp = new TempFolder();
        var config = temp.File("config.json");
        File.WriteAllText(config, """{ "version": 1, "fc2": { "quant_enable": true, "dmq_balancer_param": 0.5 } }""");
        var log = new CollectingLog();

        var result = QuantizationJob.Run(Request(temp, "config") with { ConfigFile = config }, log);

        Assert.HasCount(DmqModels.Width, RecordReader.Read(result.RecordFile).Single(r => r.Key == "fc2").TensorBalanceFactor);
    }

    [TestMethod]
    public void A_simplified_config_s_common_dmq_balancer_balances_every_layer_it_can()
    {
        using var temp = new TempFolder();
        var config = temp.File("dmq.cfg");
        File.WriteAllText(config, "common_config { dmq_balancer { migration_strength: 0.4 } }\n");

        var result = QuantizationJob.Run(Request(temp, "cfg") with { ConfigFile = config }, new CollectingLog());

        var records = RecordReader.Read(result.RecordFile).ToDictionary(r => r.Key);
        Assert.HasCount(DmqModels.Width, records["fc1"].TensorBalanceFactor);
        Assert.HasCount(DmqModels.Width, records["fc2"].TensorBalanceFactor);
    }

    [TestMethod]
    public void A_migration_strength_outside_0_to_1_is_a_setting_error()
    {
        using var temp = new TempFolder();
        var e = Assert.ThrowsExactly<AmctException>(() =>
            QuantizationJob.Run(Request(temp, "bad") with { DmqBalancing = true, MigrationStrength = 1.5 }, new CollectingLog()));
        Assert.AreEqual(ErrorCodes.BadSettingValue, e.Code);
        StringAssert.Contains(e.Message, "migration strength");
    }

    /// <summary>The outlier model and its data, shared by every job of the test (their outputs are compared byte for byte).</summary>
    private static QuantizeRequest Request(TempFolder temp, string name, bool hiddenIsOutput = false)
    {
        var model = temp.File(hiddenIsOutput ? "mlp-h.onnx" : "mlp.onnx");
        var data = temp.File("x.npy");
        if (!File.Exists(model))
        {
            ModelBuilder.Write(DmqModels.OutlierMlp(hiddenIsOutput), model);
        }
        if (!File.Exists(data))
        {
            DmqModels.WriteSamples(data, 64);
        }
        return new QuantizeRequest
        {
            QualityFloor = false, // a model this small grows when quantized (AMCT4013)
            MeasureLatency = false,
            ModelPath = model,
            CalibrationData = data,
            EvaluationData = data,
            OutputDirectory = temp.File(name),
        };
    }
}
