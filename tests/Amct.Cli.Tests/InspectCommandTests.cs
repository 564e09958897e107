using System.Text.Json;
using Amct.TestSupport;

namespace Amct.Cli.Tests;

[TestClass]
public sealed class InspectCommandTests
{
    [TestMethod]
    [TestCategory(TestCategories.OptIn)]
    [TestCategory(TestCategories.SharedData)]
    public void Squeezenet_lists_its_26_conv_layers_as_quantizable()
    {
        var (exit, output, error) = RunInProcess("inspect", SharedData.PathOf("squeezenet/squeezenet1.1.onnx"));
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "Quantizable layers: 26");
        StringAssert.Contains(output, "Conv_0 (Conv, weight conv1_w_0 [64, 3, 3, 3])");
        StringAssert.Contains(output, "data_0: float32 [1, 3, 224, 224]");
        StringAssert.Contains(output, "Opsets:      ai.onnx 13");
        StringAssert.Contains(output, "Parameters:  1,235,496");
    }

    [TestMethod]
    public void Json_output_carries_the_same_facts()
    {
        var (exit, output, _) = RunInProcess("inspect", TestData.DigitsModel, "--json");
        Assert.AreEqual(0, exit);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        var layers = root.GetProperty("quantizableLayers").EnumerateArray().ToList();
        var ops = layers.Select(l => l.GetProperty("opType").GetString()).ToList();
        CollectionAssert.Contains(ops, "Conv");
        Assert.AreEqual(2, ops.Count(op => op == "Gemm"), "the digits CNN ends in two Gemm layers");
        Assert.AreEqual("input", root.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.IsGreaterThan(0, root.GetProperty("parameterCount").GetInt64());
    }

    [TestMethod]
    public void The_real_process_reports_a_bad_model_as_one_canonical_error_line()
    {
        using var temp = new TempFolder();
        var path = temp.File("broken.onnx");
        File.WriteAllBytes(path, [0x0A, 0xFF, 0xFF, 0xFF, 0x0F, 1, 2]);
        var result = AmctProcess.Run("inspect", path);
        Assert.AreEqual(1, result.ExitCode);
        var line = result.Error.Trim();
        StringAssert.StartsWith(line, $"{path}: error AMCT2003: ");
        Assert.DoesNotContain("   at ", line, "no stack trace");
        Assert.AreEqual(string.Empty, result.Output);
    }

    [TestMethod]
    public void The_real_process_inspects_a_model()
    {
        var result = AmctProcess.Run("inspect", TestData.PathOf("iris-mlp/iris_mlp.onnx"));
        Assert.AreEqual(0, result.ExitCode, result.Error);
        StringAssert.Contains(result.Output, "Gemm");
    }

    [TestMethod]
    public void Usage_errors_exit_2_with_AMCT1xxx()
    {
        var unknownOption = RunInProcess("inspect", "m.onnx", "--jsn");
        Assert.AreEqual(2, unknownOption.Exit);
        StringAssert.Contains(unknownOption.Error, "error AMCT1002: unknown option '--jsn'. Did you mean '--json'?");
        var farOff = RunInProcess("inspect", "m.onnx", "--verbose");
        StringAssert.Contains(farOff.Error, "error AMCT1002: unknown option '--verbose'. Valid options: --json.");

        var unknownCommand = RunInProcess("quantise");
        Assert.AreEqual(2, unknownCommand.Exit);
        StringAssert.Contains(unknownCommand.Error, "error AMCT1001: unknown command 'quantise'. Did you mean 'quantize'?");

        var noModel = RunInProcess("inspect");
        Assert.AreEqual(2, noModel.Exit);
        StringAssert.Contains(noModel.Error, "Usage: amct inspect");
    }

    [TestMethod]
    public void A_missing_model_exits_1_naming_the_file()
    {
        var missing = Path.Combine(Path.GetTempPath(), "amct-no-such-model.onnx");
        var (exit, _, error) = RunInProcess("inspect", missing);
        Assert.AreEqual(1, exit);
        StringAssert.StartsWith(error, $"{missing}: error AMCT2001: ");
    }

    private static (int Exit, string Output, string Error) RunInProcess(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = Program.Run(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
