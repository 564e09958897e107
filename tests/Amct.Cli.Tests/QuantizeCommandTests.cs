using Amct.TestSupport;

namespace Amct.Cli.Tests;

/// <summary>`amct quantize` and `amct evaluate` as a user runs them: the real process, real files.</summary>
[TestClass]
public sealed class QuantizeCommandTests
{
    private static string Sample(string relative) => Path.Combine(SharedData.RepositoryRoot, "samples", "DigitsClassifier", relative);

    [TestMethod]
    public void Quantize_writes_the_three_outputs_and_evaluate_compares_them()
    {
        using var temp = new TempFolder();
        var quantize = AmctProcess.Run("quantize", Sample("Models/digits-cnn.onnx"),
            "--calibration-data", Sample("Data/calib.npy"), "--output-dir", temp.Path, "--method", "ifmr");
        Assert.AreEqual(0, quantize.ExitCode, quantize.Error);
        StringAssert.Contains(quantize.Output, "digits-cnn.onnx -> digits-cnn.int8.onnx: top-1 agreement 100.0%, cosine 1.0000 in-sample");
        // The latency ratio is a timing: on a model this small anything near 1 (a verdict follows above 0.95).
        StringAssert.Matches(quantize.Output,
            new System.Text.RegularExpressions.Regex(@"3\.4x smaller, int8/float latency \d+\.\d\d×( — slower| — no faster)?, 0 layers kept float"));
        StringAssert.Contains(quantize.Output, "calibrating samples: 200/200");
        foreach (var file in new[] { "digits-cnn.int8.onnx", "digits-cnn.record.txt", "digits-cnn.quant.json" })
        {
            Assert.IsTrue(File.Exists(temp.File(file)), file);
        }

        var evaluate = AmctProcess.Run("evaluate", Sample("Models/digits-cnn.onnx"), temp.File("digits-cnn.int8.onnx"),
            "--data", Sample("Data/test_x.npy"), "--labels", Sample("Data/test_y.npy"));
        Assert.AreEqual(0, evaluate.ExitCode, evaluate.Error);
        StringAssert.Contains(evaluate.Output, "100 samples; top-1 ");
        StringAssert.Contains(evaluate.Output, "logits: top-1 agreement");
    }

    [TestMethod]
    public void The_speed_choice_is_remembered_in_the_folder_AMCT_SPEED_CACHE_names_and_off_turns_it_off()
    {
        using var temp = new TempFolder();
        var memo = temp.File("memo");
        string[] Quantize(string output) => ["quantize", Sample("Models/digits-cnn.onnx"), "--calibration-data", Sample("Data/calib.npy"),
            "--samples", "32", "--output-dir", temp.File(output)];

        var first = AmctProcess.RunWith(new Dictionary<string, string> { ["AMCT_SPEED_CACHE"] = memo }, Quantize("first"));
        var second = AmctProcess.RunWith(new Dictionary<string, string> { ["AMCT_SPEED_CACHE"] = memo }, Quantize("second"));
        Assert.AreEqual(0, first.ExitCode, first.Error);
        Assert.AreEqual(0, second.ExitCode, second.Error);
        var file = Directory.GetFiles(memo, "*.json").Single();
        Assert.DoesNotContain("rememberedIn", File.ReadAllText(temp.File("first/digits-cnn.quant.json")));
        StringAssert.Contains(File.ReadAllText(temp.File("second/digits-cnn.quant.json")), "\"rememberedIn\": " + System.Text.Json.JsonSerializer.Serialize(file));
        CollectionAssert.AreEqual(File.ReadAllBytes(temp.File("first/digits-cnn.int8.onnx")), File.ReadAllBytes(temp.File("second/digits-cnn.int8.onnx")));

        var off = temp.File("off");
        var unremembered = AmctProcess.RunWith(new Dictionary<string, string> { ["AMCT_SPEED_CACHE"] = "off", ["XDG_CACHE_HOME"] = off }, Quantize("third"));
        Assert.AreEqual(0, unremembered.ExitCode, unremembered.Error);
        Assert.IsFalse(Directory.Exists(Path.Combine(off, "amct-build")), "nothing written to the user cache");
        Assert.DoesNotContain("rememberedIn", File.ReadAllText(temp.File("third/digits-cnn.quant.json")));
    }

    [TestMethod]
    public void Bad_option_values_list_the_valid_ones()
    {
        var result = AmctProcess.Run("quantize", Sample("Models/digits-cnn.onnx"), "--calibration-data", Sample("Data/calib.npy"),
            "--activation", "signed");
        Assert.AreEqual(2, result.ExitCode);
        StringAssert.Contains(result.Error, "error AMCT1002: --activation 'signed' is not valid. Valid values: asymmetric, symmetric, none.");

        // The method is a choice of the settings contract too: refused before the model is read.
        var method = AmctProcess.Run("quantize", Sample("Models/digits-cnn.onnx"), "--calibration-data", Sample("Data/calib.npy"),
            "--method", "kl", "--output-dir", Path.GetTempPath());
        Assert.AreEqual(2, method.ExitCode);
        StringAssert.Contains(method.Error, "error AMCT1002: --method 'kl' is not valid. Valid values: minmax, percentile, ifmr, hfmg, entropy, auto.");
    }

    [TestMethod]
    public void Quantize_without_data_or_record_is_a_usage_error()
    {
        var result = AmctProcess.Run("quantize", Sample("Models/digits-cnn.onnx"));
        Assert.AreEqual(2, result.ExitCode);
        StringAssert.Contains(result.Error, "quantize needs --calibration-data (or --record)");
    }

    [TestMethod]
    public void A_data_error_is_one_canonical_line_naming_the_data_file()
    {
        using var temp = new TempFolder();
        var data = temp.File("calib.npy");
        File.WriteAllText(data, "not numpy");
        var result = AmctProcess.Run("quantize", Sample("Models/digits-cnn.onnx"), "--calibration-data", data, "--output-dir", temp.Path);
        Assert.AreEqual(1, result.ExitCode);
        var line = result.Error.Trim();
        StringAssert.StartsWith(line, $"{data}: error AMCT30");
        Assert.DoesNotContain("   at ", line);
        Assert.IsFalse(File.Exists(temp.File("digits-cnn.int8.onnx")), "nothing half-written");
    }
}
