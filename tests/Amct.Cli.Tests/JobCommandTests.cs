using System.Text.Json;
using Amct.TestSupport;

namespace Amct.Cli.Tests;

/// <summary><c>amct job</c>: the worker mode the MSBuild task runs.</summary>
[TestClass]
public sealed class JobCommandTests
{
    private static string Job(string project, params object[] models) => JsonSerializer.Serialize(new
    {
        format = "amct-job/1",
        project,
        models,
    });

    [TestMethod]
    public void Every_model_is_quantized_and_the_result_lists_its_files_and_inputs()
    {
        using var temp = new TempFolder();
        var model = TestData.DigitsModel;
        var output = temp.File("out");
        File.WriteAllText(temp.File("job.json"), Job(temp.File("App.csproj"),
            new { item = "a.onnx", model, outputDirectory = output, outputName = "a", calibrationData = TestData.DigitsCalibration, method = "minmax", sampleCount = 32 },
            new { item = "b.onnx", model, outputDirectory = output, outputName = "b", calibrationData = TestData.DigitsCalibration, weights = "per-tensor", sampleCount = 32, skipLayers = new[] { "/fc2/Gemm" } }));

        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));

        Assert.AreEqual(0, result.ExitCode, result.Error);
        StringAssert.Contains(result.Output, "digits-cnn.onnx -> a.int8.onnx");
        using var json = JsonDocument.Parse(File.ReadAllText(temp.File("result.json")));
        Assert.AreEqual("amct-job-result/1", json.RootElement.GetProperty("format").GetString());
        var models = json.RootElement.GetProperty("models");
        Assert.AreEqual(2, models.GetArrayLength());
        var b = models[1];
        Assert.IsTrue(b.GetProperty("succeeded").GetBoolean());
        var files = b.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        CollectionAssert.AreEqual(new[] { "b.int8.onnx", "b.record.txt", "b.quant.json", "b.quant.md" }, files.Select(Path.GetFileName).ToArray());
        Assert.IsTrue(files.All(File.Exists));
        Assert.AreEqual(model, b.GetProperty("inputs")[0].GetString());
        StringAssert.Contains(File.ReadAllText(temp.File("out/b.quant.json")), "per-tensor", "the settings reach the engine");
    }

    [TestMethod]
    public void A_failing_model_is_reported_its_outputs_removed_and_the_next_model_still_runs()
    {
        using var temp = new TempFolder();
        var model = TestData.DigitsModel;
        var output = temp.File("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(temp.File("out/bad.int8.onnx"), "left from an earlier build");
        var project = temp.File("App.csproj");
        File.WriteAllText(temp.File("job.json"), Job(project,
            new { item = "Models/bad.onnx", model, outputDirectory = output, outputName = "bad", calibrationData = temp.File("missing.npy") },
            new { item = "Models/odd.onnx", model, outputDirectory = output, outputName = "odd", calibrationData = TestData.DigitsCalibration, method = "kl" },
            new { item = "Models/good.onnx", model, outputDirectory = output, outputName = "good", calibrationData = TestData.DigitsCalibration, sampleCount = 16 }));

        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));

        Assert.AreEqual(1, result.ExitCode);
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.HasCount(2, errors, result.Error);
        StringAssert.StartsWith(errors[0], $"{temp.File("missing.npy")}: error AMCT3001: ");
        // A setting is no file: the error goes to the project, naming the item.
        StringAssert.StartsWith(errors[1], $"{project}: error AMCT1004: AmctModel 'Models/odd.onnx': method: ");
        Assert.IsFalse(File.Exists(temp.File("out/bad.int8.onnx")), "no stale output survives a failure");
        Assert.IsTrue(File.Exists(temp.File("out/good.int8.onnx")));
        using var json = JsonDocument.Parse(File.ReadAllText(temp.File("result.json")));
        var succeeded = json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("succeeded").GetBoolean()).ToArray();
        CollectionAssert.AreEqual(new[] { false, false, true }, succeeded);
    }

    [TestMethod]
    public void A_job_file_of_another_format_is_AMCT5106()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("job.json"), """{"format": "amct-job/9", "project": "p", "models": []}""");
        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));
        Assert.AreEqual(1, result.ExitCode);
        StringAssert.StartsWith(result.Error, $"{temp.File("job.json")}: error AMCT5106: ");

        File.WriteAllText(temp.File("job.json"), """{"format": "amct-job/1", "project": "p", "models": [], "unknownSetting": 1}""");
        StringAssert.Contains(AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("r.json")).Error, "AMCT5106");
    }

    [TestMethod]
    public void Job_needs_a_job_file_and_a_result_path()
    {
        var result = AmctProcess.Run("job", "job.json");
        Assert.AreEqual(2, result.ExitCode);
        StringAssert.Contains(result.Error, "Usage: amct job <job.json> --result <result.json>");
    }
}
