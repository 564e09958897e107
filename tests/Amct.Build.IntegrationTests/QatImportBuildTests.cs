using Amct.Engine.Pipeline;
using Amct.TestSupport;

namespace Amct.Build.IntegrationTests;

/// <summary>A consumer whose AmctModel is a QDQ (quantization-aware trained) model, built with the real package.</summary>
[TestClass]
public sealed class QatImportBuildTests
{
    [TestMethod]
    public void A_qdq_model_is_imported_on_build_gated_against_its_float_model_and_lands_in_obj_and_bin_as_for_ptq()
    {
        var app = Consumer.Create("QatImport", """
              <ItemGroup>
                <AmctModel Include="Models/digits-qat.onnx" QatImport="On" FloatModel="Models/digits-float.onnx"
                           EvaluationData="Data/test_x.npy" EvaluationLabels="Data/test_y.npy" MaxAccuracyDrop="0.01" />
                <None Update="Models/digits-qat.onnx" CopyToOutputDirectory="PreserveNewest" />
              </ItemGroup>
            """);
        app.Copy("Models/digits-cnn.onnx", "Models/digits-float.onnx");
        app.Copy("Data/test_x.npy", "Data/test_x.npy");
        app.Copy("Data/test_y.npy", "Data/test_y.npy");
        // The QDQ model: the committed digits CNN quantized by our own engine (Q/DQ pairs, int8 weights, int32 biases),
        // standing in for a QAT export so the test needs no shared data.
        using (var temp = new TempFolder())
        {
            var qdq = QuantizationJob.Run(new QuantizeRequest
            {
                ModelPath = TestData.DigitsModel,
                CalibrationData = TestData.DigitsCalibration,
                OutputDirectory = temp.File("ptq"),
                SkipEvaluation = true,
                MeasureLatency = false,
            }, new CollectingLog());
            File.Copy(qdq.QuantizedModel, app.Path("Models/digits-qat.onnx"));
        }

        var build = app.Build();

        var summary = build.Output.Split('\n').SingleOrDefault(l => l.Contains("Amct: digits-qat.onnx -> digits-qat.int8.onnx", StringComparison.Ordinal));
        Assert.IsNotNull(summary, $"no summary line:\n{build}");
        StringAssert.Contains(summary, "imported (QAT)");
        StringAssert.Contains(summary, "(float ", "the gate's float figures come from FloatModel");
        foreach (var file in new[] { "digits-qat.int8.onnx", "digits-qat.record.txt", "digits-qat.quant.json", "digits-qat.quant.md" })
        {
            Assert.IsTrue(File.Exists(app.Intermediate(file)), $"{file} is not in obj/:\n{build}");
        }
        Assert.IsTrue(File.Exists(app.Output("digits-qat.int8.onnx")), $"the int8 model is not in bin/:\n{build}");
        StringAssert.Contains(File.ReadAllText(app.Intermediate("digits-qat.quant.md")), "| imported (QAT) |");
        Assert.IsGreaterThanOrEqualTo(9, Digits.CorrectOf10(app.Output("digits-qat.int8.onnx")), "the imported model classifies the test digits");

        // The gate applies to the import: a threshold it cannot reach fails the build and leaves no int8 model.
        var failed = app.FailingBuild("-p:AmctMinSqnrDb=90", "-p:AmctAutoFallback=false");
        StringAssert.Contains(failed.Output, "below MinSqnrDb 90.00 dB");
        Assert.IsFalse(File.Exists(app.Intermediate("digits-qat.int8.onnx")), "no int8 model after a failed gate");
    }
}
