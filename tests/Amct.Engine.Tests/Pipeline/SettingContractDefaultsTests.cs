using Amct.Engine.Calibration;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.Engine.Settings;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// The settings contract (src/Amct.Engine/Settings) states defaults and valid values the engine implements; these
/// keep the two from drifting apart.
/// </summary>
[TestClass]
public sealed class SettingContractDefaultsTests
{
    [TestMethod]
    public void The_contract_states_the_engines_defaults()
    {
        Assert.AreEqual(QuantizationJob.DefaultBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            SettingList.BatchSize.DefaultText);
        Assert.AreEqual(RangeMethods.DefaultName, SettingList.CalibrationMethod.DefaultText);
        var request = new QuantizeRequest { ModelPath = "m.onnx", OutputDirectory = "." };
        Assert.AreEqual(request.WeightRangeSearch ? "true" : "false", SettingList.WeightRangeSearch.DefaultText);
        Assert.AreEqual(request.BiasCorrection ? "true" : "false", SettingList.BiasCorrection.DefaultText);
    }

    [TestMethod]
    public void The_contracts_choices_are_the_engines_methods_and_modes()
    {
        CollectionAssert.AreEquivalent(RangeMethods.Names.ToList(), SettingList.CalibrationMethod.Choices.Select(c => c.FlagValue).ToList());
        // The CLI maps per-channel to WeightGranularity.PerChannel by name (dashes dropped), asymmetric to Asymmetric.
        CollectionAssert.AreEquivalent(Enum.GetNames<WeightGranularity>(),
            SettingList.WeightGranularity.Choices.Select(c => c.MetadataValue).ToList());
        CollectionAssert.AreEquivalent(Enum.GetNames<ActivationMode>(),
            SettingList.ActivationQuantization.Choices.Select(c => c.MetadataValue).ToList());
    }

    [TestMethod]
    [DataRow(5000, null)]
    [DataRow(16, double.NaN)]
    public void A_request_out_of_the_contracts_range_is_AMCT1004_before_anything_is_read(int batchSize, double? cosine)
    {
        var request = new QuantizeRequest
        {
            ModelPath = "/nowhere/model.onnx",
            OutputDirectory = "/nowhere",
            BatchSize = batchSize,
            Gate = new Amct.Engine.Evaluation.GateThresholds { MinCosineSimilarity = cosine },
        };
        var error = Assert.ThrowsExactly<AmctException>(() => JobSettings.Resolve(request, null));
        Assert.AreEqual(ErrorCodes.BadSettingValue, error.Code);
    }
}
