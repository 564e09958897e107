using Amct.TestSupport;

namespace Amct.Cli.Tests;

/// <summary>`amct convert-qat` (AMCT's convert_qat_model) as a user runs it: the real process on a QDQ model.</summary>
[TestClass]
public sealed class ConvertQatCommandTests
{
    [TestMethod]
    public void Convert_qat_imports_the_trained_factors_without_calibration_data_and_says_so()
    {
        using var temp = new TempFolder();
        var model = temp.File("qat.onnx");
        ModelBuilder.Write(QdqModels.TorchStyle(), model);
        var data = temp.File("x.npy");
        NpyWriter.Write(data, [8, 2, 4, 4], ModelBuilder.Pattern(8 * 32, 1).Select(Math.Abs).ToArray());

        var result = AmctProcess.Run("convert-qat", model, "--evaluation-data", data, "--output-dir", temp.File("out"), "--no-quality-floor"); // a tiny model grows (AMCT4013)
        Assert.AreEqual(0, result.ExitCode, result.Error);
        StringAssert.Contains(result.Output, "qat.onnx -> qat.int8.onnx: imported (QAT), ");
        Assert.DoesNotContain("calibrating", result.Output);
        foreach (var file in new[] { "qat.int8.onnx", "qat.record.txt", "qat.quant.json", "qat.quant.md", "qat.quant.html" })
        {
            Assert.IsTrue(File.Exists(Path.Combine(temp.File("out"), file)), file);
        }
        StringAssert.Contains(File.ReadAllText(Path.Combine(temp.File("out"), "qat.quant.md")), "| imported (QAT) | 6 DequantizeLinear nodes");
    }

    [TestMethod]
    public void Quantize_takes_a_qat_model_without_data_only_with_qat_import_on()
    {
        using var temp = new TempFolder();
        var model = temp.File("qat.onnx");
        ModelBuilder.Write(QdqModels.TorchStyle(), model);

        var refused = AmctProcess.Run("quantize", model, "--output-dir", temp.Path);
        Assert.AreEqual(2, refused.ExitCode);
        StringAssert.Contains(refused.Error, "or --qat-import on for a QAT model");

        var imported = AmctProcess.Run("quantize", model, "--qat-import", "on", "--output-dir", temp.Path, "--no-quality-floor");
        Assert.AreEqual(0, imported.ExitCode, imported.Error);
        StringAssert.Contains(imported.Output, "imported (QAT)");
    }
}
