using System.Text.Json;
using Amct.TestSupport;

namespace Amct.Cli.Tests;

/// <summary>
/// The command line as System.CommandLine and the settings contract make it: help per command, suggestions for typos,
/// coded errors for bad values (issue 11, class 4), and <c>quantize --json</c>.
/// </summary>
[TestClass]
public sealed class CommandLineTests
{
    private static readonly string Model = TestData.DigitsModel;
    private static readonly string Calibration = TestData.DigitsCalibration;

    [TestMethod]
    public void Every_command_has_help_with_its_options_described()
    {
        var quantize = Run("quantize", "--help");
        Assert.AreEqual(0, quantize.Exit, quantize.Error);
        StringAssert.Contains(quantize.Output, "--weights <per-channel|per-tensor>");
        StringAssert.Contains(quantize.Output, "weight scales per output channel or per tensor");
        StringAssert.Contains(quantize.Output, "--batch-size <N>");
        StringAssert.Contains(quantize.Output, "(default: 16)");
        StringAssert.Contains(quantize.Output, "--no-fusion");
        StringAssert.Contains(quantize.Output, "--json");
        foreach (var command in new[] { "inspect", "evaluate", "job" })
        {
            var help = Run(command, "-h");
            Assert.AreEqual(0, help.Exit, command);
            StringAssert.Contains(help.Output, $"amct {command}", command);
        }
        var root = Run("--help");
        StringAssert.Contains(root.Output, "quantize <model.onnx>");
    }

    [TestMethod]
    public void An_unknown_option_suggests_the_closest_one()
    {
        var result = Run("quantize", Model, "--calibraton-data", Calibration);
        Assert.AreEqual(2, result.Exit);
        StringAssert.StartsWith(result.Error, "amct: error AMCT1002: unknown option '--calibraton-data'. Did you mean '--calibration-data'?");
    }

    [TestMethod]
    [DataRow("--calibration-data", "")]
    [DataRow("--config", "")]
    [DataRow("--output-dir", "")]
    [DataRow("--record", " ")]
    [DataRow("--evaluation-data", "")]
    public void An_empty_path_option_is_a_coded_error_naming_it(string option, string value)
    {
        var args = option == "--calibration-data"
            ? new[] { "quantize", Model, option, value }
            : ["quantize", Model, "--calibration-data", Calibration, option, value];
        var result = Run(args);
        Assert.AreEqual(2, result.Exit, result.Error);
        StringAssert.StartsWith(result.Error, $"amct: error AMCT1002: {option} '{value}' is empty; give a path.");
    }

    [TestMethod]
    public void An_empty_model_path_is_a_coded_error()
    {
        foreach (var args in new[] { new[] { "inspect", "" }, ["quantize", "", "--calibration-data", Calibration] })
        {
            var result = Run(args);
            Assert.AreEqual(2, result.Exit, result.Error);
            StringAssert.StartsWith(result.Error, "amct: error AMCT1002: the model path is empty; give a path.");
        }
    }

    [TestMethod]
    [DataRow("--batch-size", "2147483647", "is not a whole number from 1 to 4096")]
    [DataRow("--samples", "0", "is not a whole number of at least 1")]
    [DataRow("--max-fallback-layers", "99999999999", "is not a whole number from 1 to 2147483647")]
    [DataRow("--min-cosine-similarity", "NaN", "is not a number between 0 and 1")]
    [DataRow("--max-accuracy-drop", "-1", "is not a number between 0 and 1")]
    [DataRow("--min-sqnr-db", "Infinity", "is not a number")]
    public void Numbers_out_of_range_are_coded_errors(string option, string value, string message)
    {
        var result = Run("quantize", Model, "--calibration-data", Calibration, option, value);
        Assert.AreEqual(2, result.Exit, result.Error);
        StringAssert.StartsWith(result.Error, $"amct: error AMCT1002: {option} '{value}' {message}");
    }

    [TestMethod]
    public void Choices_take_the_MSBuild_spelling_too_and_quantize_json_prints_a_summary_alone_on_stdout()
    {
        using var temp = new TempFolder();
        var result = Run("quantize", Model, "--calibration-data", Calibration, "--samples", "32", "--weights", "PerTensor",
            "--no-fusion", "--output-dir", temp.Path, "--json");
        Assert.AreEqual(0, result.Exit, result.Error);
        using var json = JsonDocument.Parse(result.Output);
        var root = json.RootElement;
        Assert.AreEqual(temp.File("digits-cnn.int8.onnx"), root.GetProperty("quantizedModel").GetString());
        Assert.IsTrue(File.Exists(root.GetProperty("report").GetString()));
        Assert.IsGreaterThan(root.GetProperty("outputBytes").GetInt64(), root.GetProperty("inputBytes").GetInt64());
        StringAssert.StartsWith(root.GetProperty("summary").GetString(), "digits-cnn.onnx -> digits-cnn.int8.onnx: ");
        StringAssert.Contains(result.Error, "calibrating samples: 32/32", "progress goes to stderr with --json");
        var report = File.ReadAllText(temp.File("digits-cnn.quant.json"));
        StringAssert.Contains(report, "\"convWeights\": \"per-tensor\"");
        StringAssert.Contains(report, "\"doFusion\": false");
    }

    [TestMethod]
    public void A_switch_not_typed_keeps_its_default_as_in_a_build()
    {
        // Before the fix, the absent --no-weight-range-search read as "weight range search on", so the command line
        // made a different int8 model than a build with the same settings.
        using var temp = new TempFolder();
        byte[] Quantize(string name, params string[] extra)
        {
            var folder = Directory.CreateDirectory(temp.File(name)).FullName;
            var result = Run(["quantize", Model, "--calibration-data", Calibration, "--samples", "32", "--optimize-for", "size",
                "--no-measure-latency", "--output-dir", folder, .. extra]);
            Assert.AreEqual(0, result.Exit, result.Error);
            return File.ReadAllBytes(Path.Combine(folder, "digits-cnn.int8.onnx"));
        }
        var untyped = Quantize("default");
        CollectionAssert.AreEqual(Quantize("off", "--weight-range-search", "false"), untyped);
        CollectionAssert.AreNotEqual(Quantize("on", "--weight-range-search"), untyped, "the search changes this model's weights");
    }

    private static (int Exit, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = Program.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
