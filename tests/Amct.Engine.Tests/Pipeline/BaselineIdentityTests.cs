using System.Diagnostics;
using Amct.Engine.Pipeline;
using Amct.Engine.Quantization;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Pipeline;

/// <summary>
/// Opt-in: the engine writes byte-identical int8 models and records to those a baseline build of the CLI (main's,
/// before a refactoring) writes for the shared models (../shared/data). Needs the baseline's amct.dll in AMCT_BASELINE_CLI:
/// <code>
/// git worktree add /tmp/main-before main
/// dotnet publish /tmp/main-before/src/Amct.Cli -c Release -o /tmp/amct-before
/// AMCT_BASELINE_CLI=/tmp/amct-before/amct.dll dotnet test tests/Amct.Engine.Tests --filter TestCategory=Baseline
/// </code>
/// Not in a pinned-hash form because calibration sums floats in ONNX Runtime, whose kernels differ between CPUs.
/// </summary>
[TestClass]
public sealed class BaselineIdentityTests
{
    [TestMethod]
    // Its own suite, not SharedData: CI runs that suite and has no baseline build.
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.Baseline)]
    [DataRow("digits-cnn/model.onnx", "digits-cnn/calib.npy", false)]
    [DataRow("digits-cnn/model.onnx", "digits-cnn/calib.npy", true)]
    [DataRow("squeezenet/squeezenet1.1.onnx", "squeezenet/test_data_set_0", false)]
    [DataRow("squeezenet/squeezenet1.1-opset7.onnx", "squeezenet/test_data_set_0", false)]
    public void Model_and_record_are_byte_identical_to_the_baselines(string model, string data, bool symmetricPerTensor)
    {
        var baselineCli = Environment.GetEnvironmentVariable("AMCT_BASELINE_CLI");
        if (baselineCli is null || !File.Exists(baselineCli))
        {
            Assert.Fail($"AMCT_BASELINE_CLI must name a baseline build's amct.dll (is '{baselineCli}'); see this class's comment.");
        }
        using var baseline = new TempFolder();
        using var current = new TempFolder();
        var modelPath = SharedData.PathOf(model);
        var dataPath = SharedData.PathOf(data);

        string[] settings = symmetricPerTensor ? ["--activation", "symmetric", "--weights", "per-tensor", "--matmul-weights", "per-tensor"] : [];
        RunBaseline(baselineCli, [modelPath, "--calibration-data", dataPath, "--output-dir", baseline.Path, "--no-evaluation", .. settings]);
        var result = QuantizationJob.Run(new QuantizeRequest
        {
            ModelPath = modelPath,
            CalibrationData = dataPath,
            OutputDirectory = current.Path,
            SkipEvaluation = true,
            Activation = symmetricPerTensor ? ActivationMode.Symmetric : null,
            ConvWeights = symmetricPerTensor ? WeightGranularity.PerTensor : null,
            MatMulWeights = symmetricPerTensor ? WeightGranularity.PerTensor : null,
        }, new CollectingLog());

        foreach (var file in new[] { result.QuantizedModel, result.RecordFile })
        {
            var expected = Path.Combine(baseline.Path, Path.GetFileName(file));
            CollectionAssert.AreEqual(File.ReadAllBytes(expected), File.ReadAllBytes(file), $"{Path.GetFileName(file)} differs from the baseline's");
        }
    }

    private static void RunBaseline(string cli, string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("quantize");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"the baseline CLI failed: {error}{output.Result}");
    }
}
