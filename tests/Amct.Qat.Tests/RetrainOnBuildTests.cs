using System.Reflection;
using System.Text.Json;
using Amct.Build.IntegrationTests;
using Amct.TestSupport;

namespace Amct.Qat.Tests;

/// <summary>
/// Retraining as a user gets it: Amct.Build and Amct.Build.Qat packed into a temporary feed, a consumer project that
/// references both and declares the committed digits CNN twice — once post-training only, once with
/// Retrain="Distill" (trained on the calibration data, its default) — and real `dotnet build` runs. The shipped int8
/// models are compared with the float model by ONNX Runtime on the 497 held-out digits, which neither calibration
/// nor training saw.
/// </summary>
/// <remarks>
/// At 8-bit weights post-training quantization already agrees with float on every held-out digit (measured: 100 %),
/// so retraining has nothing to win there; at 3-bit weights bias correction (on by default) brings it to 99.80 %,
/// where distillation also ends. At 2-bit weights (WeightBits="2", still int8 storage) post-training with bias
/// correction agrees on 86.12 % and distillation wins most of the rest back (engine measurement, 10 epochs: 97.59 %);
/// that is the difference this test asks the shipped model to show. Both models' mean cosine is below the quality
/// floor's 0.9 there (0.83 and 0.82: distillation matches the class decisions, not the logits), so the floor is off.
/// The post-training model rounds its weights to nearest (WeightRounding="Nearest"), the weights the retraining
/// starts from: with the default Hessian weight rounding, post-training at 2-bit weights already agrees on 97.38 %,
/// as much as Distill after this test's 5 epochs (measured in session 7's CI run), so retraining does not start from
/// those weights yet and this test compares it with the post-training model it improves on.
/// </remarks>
[TestClass]
[TestCategory(TestCategories.OptIn)]
[TestCategory(TestCategories.Qat)]
public sealed class RetrainOnBuildTests
{
    private const string NoWork = "Skipping target \"AmctQuantizeOnnxModels\" because all output files are up-to-date";

    private static LocalFeed? _feed;

    private static LocalFeed Feed => _feed ?? throw new InvalidOperationException("packed in ClassInitialize");

    [ClassInitialize]
    public static void Pack(TestContext context)
    {
        var configuration = typeof(RetrainOnBuildTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Configuration").Value!;
        _feed = new LocalFeed(configuration);
        foreach (var (project, id) in new[] { ("Amct.Build", "Amct.Build"), ("Amct.Build.Qat", "Amct.Build.Qat") })
        {
            var (path, pack) = _feed.Pack(Path.Combine("src", project, project + ".csproj"), id);
            context.WriteLine($"Packed {path} in {pack.Elapsed.TotalSeconds:0.0} s");
        }
    }

    [ClassCleanup]
    public static void Cleanup() => _feed?.Dispose();

    [TestMethod]
    public void A_Distill_build_ships_a_model_closer_to_float_than_PTQ_and_an_unchanged_build_does_not_retrain()
    {
        var app = QatConsumer.Create(Feed, "RetrainApp");

        var first = app.Build();

        StringAssert.Contains(first.Output, "retraining (Distill) on 200 samples", $"the Distill model retrains:\n{first}");
        var ptq = app.Output("ptq.int8.onnx");
        var distill = app.Output("distill.int8.onnx");
        Assert.IsTrue(File.Exists(ptq) && File.Exists(distill), $"both int8 models ship in bin/:\n{first}");
        var ptqAgreement = HeldOutAgreement.Top1(TestData.DigitsModel, ptq);
        var distillAgreement = HeldOutAgreement.Top1(TestData.DigitsModel, distill);
        using var report = JsonDocument.Parse(File.ReadAllText(app.Intermediate("distill.quant.json")));
        var retraining = report.RootElement.GetProperty("retraining");
        Console.WriteLine($"W2A8 top-1 agreement with float on the 497 held-out digits: PTQ {ptqAgreement:P2}, " +
            $"Distill {distillAgreement:P2}; first build {first.Elapsed.TotalSeconds:0.0} s, retraining " +
            $"{retraining.GetProperty("seconds").GetDouble():0.0} s (setup {retraining.GetProperty("setupSeconds").GetDouble():0.0} s)");
        Assert.IsGreaterThan(ptqAgreement, distillAgreement, "the retrained model agrees with float more often than the post-training one");
        Assert.AreEqual(QatConsumer.Epochs, retraining.GetProperty("lossCurve").GetArrayLength(), "the report carries the loss curve");

        var torchFiles = Directory.EnumerateFiles(app.Path("bin"), "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).Contains("torch", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.IsEmpty(torchFiles, $"no libtorch or TorchSharp file reaches bin/: {string.Join(", ", torchFiles)}");

        var stamp = File.GetLastWriteTimeUtc(app.Intermediate("distill.int8.onnx"));
        var second = app.Build();
        Console.WriteLine($"second build {second.Elapsed.TotalSeconds:0.0} s");
        StringAssert.Contains(second.Output, NoWork, $"an unchanged build runs no worker:\n{second}");
        Assert.DoesNotContain("retraining", second.Output);
        Assert.AreEqual(stamp, File.GetLastWriteTimeUtc(app.Intermediate("distill.int8.onnx")));
    }
}
