using System.Text.Json;
using Amct.TestSupport;

namespace Amct.Cli.Tests;

/// <summary><c>amct job</c>: the worker mode the MSBuild task runs.</summary>
[TestClass]
public sealed class JobCommandTests
{
    private static Dictionary<string, object> Model(string item, string model, params (string Flag, string Value)[] settings) => new()
    {
        ["item"] = item,
        ["model"] = model,
        ["settings"] = settings.ToDictionary(s => s.Flag, s => s.Value),
    };

    private static string Job(string project, params object[] models) => JsonSerializer.Serialize(new
    {
        format = "amct-job/2",
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
            Model("a.onnx", model, ("output-dir", output), ("output-name", "a"), ("calibration-data", TestData.DigitsCalibration), ("method", "minmax"), ("samples", "32")),
            Model("b.onnx", model, ("output-dir", output), ("output-name", "b"), ("calibration-data", TestData.DigitsCalibration), ("weights", "per-tensor"), ("samples", "32"), ("skip-layers", "/fc2/Gemm"))));

        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));

        Assert.AreEqual(0, result.ExitCode, result.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(temp.File("result.json")));
        Assert.AreEqual("amct-job-result/1", json.RootElement.GetProperty("format").GetString());
        var models = json.RootElement.GetProperty("models");
        Assert.AreEqual(2, models.GetArrayLength());
        StringAssert.StartsWith(models[0].GetProperty("summary").GetString(), "digits-cnn.onnx -> a.int8.onnx: ");
        Assert.DoesNotContain("-> a.int8.onnx", result.Output, "the summary is the task's to print (once), not the worker's");
        StringAssert.Contains(result.Output, "calibrating samples: ", "the worker prints its progress");
        var b = models[1];
        Assert.IsTrue(b.GetProperty("succeeded").GetBoolean());
        var files = b.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToList();
        CollectionAssert.AreEqual(new[] { "b.int8.onnx", "b.record.txt", "b.quant.json", "b.quant.md", "b.quant.html" }, files.Select(Path.GetFileName).ToArray());
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
            Model("Models/bad.onnx", model, ("output-dir", output), ("output-name", "bad"), ("calibration-data", temp.File("missing.npy"))),
            Model("Models/odd.onnx", model, ("output-dir", output), ("output-name", "odd"), ("calibration-data", TestData.DigitsCalibration), ("method", "kl")),
            Model("Models/good.onnx", model, ("output-dir", output), ("output-name", "good"), ("calibration-data", TestData.DigitsCalibration), ("samples", "16"))));

        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));

        Assert.AreEqual(1, result.ExitCode);
        // Errors only: the good model may also warn that int8 is no faster here (AMCT4030, a timing).
        var errors = result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => line.Contains(": error ", StringComparison.Ordinal)).ToList();
        Assert.HasCount(2, errors, result.Error);
        StringAssert.StartsWith(errors[0], $"{temp.File("missing.npy")}: error AMCT3001: ");
        // A setting is no file: the error goes to the project, naming the item.
        StringAssert.StartsWith(errors[1], $"{project}: error AMCT1201: AmctModel 'Models/odd.onnx': CalibrationMethod: 'kl' is not valid. Valid values: MinMax, ");
        Assert.IsFalse(File.Exists(temp.File("out/bad.int8.onnx")), "no stale output survives a failure");
        Assert.IsTrue(File.Exists(temp.File("out/good.int8.onnx")));
        using var json = JsonDocument.Parse(File.ReadAllText(temp.File("result.json")));
        var succeeded = json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("succeeded").GetBoolean()).ToArray();
        CollectionAssert.AreEqual(new[] { false, false, true }, succeeded);
    }

    [TestMethod]
    public void An_output_folder_that_is_a_file_is_a_coded_error_with_a_result_file_and_a_failure_removes_every_output()
    {
        using var temp = new TempFolder();
        var model = TestData.DigitsModel;
        File.WriteAllText(temp.File("file"), "not a folder");
        Directory.CreateDirectory(temp.File("out"));
        foreach (var stale in new[] { "bad.int8.onnx", "bad.record.txt", "bad.quant.json", "bad.quant.md", "bad.quant.html" })
        {
            File.WriteAllText(temp.File("out/" + stale), "left from an earlier build");
        }
        File.WriteAllText(temp.File("job.json"), Job(temp.File("App.csproj"),
            Model("a.onnx", model, ("output-dir", temp.File("file")), ("output-name", "a"), ("calibration-data", TestData.DigitsCalibration)),
            Model("bad.onnx", model, ("output-dir", temp.File("out")), ("output-name", "bad"), ("calibration-data", temp.File("missing.npy")))));

        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));

        Assert.AreEqual(1, result.ExitCode, result.Error);
        StringAssert.StartsWith(result.Error, $"{temp.File("file")}: error AMCT5003: ");
        Assert.IsTrue(File.Exists(temp.File("result.json")), "the result file is written");
        Assert.AreEqual("not a folder", File.ReadAllText(temp.File("file")));
        Assert.IsEmpty(Directory.GetFileSystemEntries(temp.File("out")), "the Markdown report goes with the other outputs");
    }

    [TestMethod]
    public void A_job_file_of_another_format_is_AMCT5106()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("job.json"), """{"format": "amct-job/9", "project": "p", "models": []}""");
        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));
        Assert.AreEqual(1, result.ExitCode);
        StringAssert.StartsWith(result.Error, $"{temp.File("job.json")}: error AMCT5106: ");

        File.WriteAllText(temp.File("job.json"), """{"format": "amct-job/2", "project": "p", "models": [], "unknownSetting": 1}""");
        StringAssert.Contains(AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("r.json")).Error, "AMCT5106");
    }

    [TestMethod]
    public void Job_needs_a_job_file_and_a_result_path()
    {
        var result = AmctProcess.Run("job", "job.json");
        Assert.AreEqual(2, result.ExitCode);
        StringAssert.Contains(result.Error, "Usage: amct job <job.json> --result <result.json>");
    }

    /// <summary>
    /// Issue 11, class 6: damaged entries of a job file (which a hand-edited or truncated file can hold) fail their model
    /// with a coded error naming the entry, and the result file is written anyway.
    /// </summary>
    [TestMethod]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": null}""", "AMCT5106", "\"models\" is not a list")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [null]}""", "AMCT5106", "models[0] is Null, not an object")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": null}]}""", "AMCT5106", "models[0].model is not a path")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": "/m.onnx", "settings": {"skip-layers": null}}]}""", "AMCT5106", "settings.skip-layers is Null, not text")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": "/m.onnx", "settings": {"min-accuracy": 0.5}}]}""", "AMCT5106", "settings.min-accuracy is Number, not text")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": "/m.onnx", "settings": {"min-accuracy": "high"}}]}""", "AMCT1210", "MinAccuracy: 'high' is not a number between 0 and 1")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": "/m.onnx", "settings": {"min-cosine-similarity": "NaN"}}]}""", "AMCT1210", "MinCosineSimilarity: 'NaN' is not a number between 0 and 1")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": "/m.onnx", "settings": {"max-accuracy-drop": "-1"}}]}""", "AMCT1210", "MaxAccuracyDrop: '-1' is not a number between 0 and 1")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": "/m\u0000.onnx"}]}""", "AMCT5106", "models[0].model is not a path")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": "/m.onnx", "settings": {"output-name": "a\u0000b"}}]}""", "AMCT1201", "OutputName: 'a")]
    [DataRow("""{"format": "amct-job/2", "project": "/p/App.csproj", "models": [{"item": "m", "model": "/m.onnx", "settings": {"batch-size": "2147483647"}}]}""", "AMCT1202", "BatchSize: '2147483647' is not a whole number from 1 to 4096")]
    public void A_damaged_job_entry_is_a_coded_error_and_the_result_is_still_written(string job, string code, string message)
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("job.json"), job);

        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));

        Assert.AreEqual(1, result.ExitCode, result.Error);
        StringAssert.Contains(result.Error, $"error {code}: ");
        StringAssert.Contains(result.Error, message);
        Assert.DoesNotContain("AMCT5999", result.Error);
        Assert.IsTrue(File.Exists(temp.File("result.json")), "the result file is written in every case");
        using var written = JsonDocument.Parse(File.ReadAllText(temp.File("result.json")));
        Assert.IsTrue(written.RootElement.GetProperty("models").EnumerateArray().All(m => !m.GetProperty("succeeded").GetBoolean()));
    }

    [TestMethod]
    public void An_output_directory_that_is_a_file_still_gets_a_result_file()
    {
        using var temp = new TempFolder();
        File.WriteAllText(temp.File("out"), "a file, not a folder");
        File.WriteAllText(temp.File("job.json"), Job(temp.File("App.csproj"),
            Model("a.onnx", TestData.DigitsModel, ("output-dir", temp.File("out")), ("output-name", "a"),
                ("calibration-data", TestData.DigitsCalibration), ("samples", "16"))));

        var result = AmctProcess.Run("job", temp.File("job.json"), "--result", temp.File("result.json"));

        Assert.AreNotEqual(0, result.ExitCode);
        Assert.IsTrue(File.Exists(temp.File("result.json")), result.Error);
    }
}
