using System.Text;
using Amct.Engine.Formats;
using Amct.TestSupport;

namespace Amct.Engine.Tests.Formats;

/// <summary>Bad JSON configs: each is a coded AMCT112x error naming the file, the key path, the value and what is allowed.</summary>
[TestClass]
public sealed class QuantConfigErrorTests
{
    private const string Source = "/cfg/config.json";

    [TestMethod]
    public void A_missing_file_or_a_folder_is_AMCT1120()
    {
        using var temp = new TempFolder();
        AssertReadFails(temp.File("none.json"), ErrorCodes.ConfigFileNotFound, "does not exist");
        AssertReadFails(temp.Path, ErrorCodes.ConfigFileNotFound, "is a folder");
    }

    [TestMethod]
    [DataRow("{\n  \"batch_num\": 2,\n  \"conv1\": { \"quant_enable\": tru }\n}", "line 3, position ")]
    [DataRow("{\n  \"batch_num\": 2,\n}", "line 3, position 1")]
    [DataRow("{ \"batch_num\": 2 } // note", "line 1, position ")]
    [DataRow("", "line 1, position 1")]
    [DataRow("{ \"a\": [1, 2 }", "line 1, position ")]
    public void Malformed_JSON_is_AMCT1121_with_line_and_position(string json, string location)
    {
        var error = AssertParseFails(json, ErrorCodes.ConfigMalformedJson, "not valid JSON");
        StringAssert.StartsWith(error.Message, location);
        // The error is one line, with our 1-based position rather than System.Text.Json's 0-based one.
        Assert.IsFalse(error.Message.Contains("LineNumber", StringComparison.Ordinal), error.Message);
        Assert.IsFalse(error.Message.Contains('\n', StringComparison.Ordinal), error.Message);
        // The same position in MSBuild's file(line,col) fields, where IDEs and CI logs jump to.
        StringAssert.StartsWith(error.ToCanonicalString(), $"{error.Target}({error.Line},{error.Column}): error AMCT1121: ");
        StringAssert.StartsWith(error.Message, $"line {error.Line}, position {error.Column}: ");
    }

    [TestMethod]
    public void Invalid_UTF8_is_malformed_JSON()
    {
        byte[] json = [.. "{\n\""u8, 0xFF, .. "\": {} }"u8];
        var error = Assert.ThrowsExactly<AmctException>(() => QuantConfigReader.Parse(json, Source));
        Assert.AreEqual(ErrorCodes.ConfigMalformedJson, error.Code, error.Message);
        Assert.AreEqual(Source, error.Target);
        StringAssert.StartsWith(error.Message, "line 2: ");
        StringAssert.Contains(error.Message, "not UTF-8");
        StringAssert.StartsWith(error.ToCanonicalString(), $"{Source}(2): error ");
    }

    [TestMethod]
    [DataRow("""{ "conv1": { "quant_enabled": true } }""", "conv1.quant_enabled: unknown key; conv1 takes quant_enable, dmq_balancer_param")]
    [DataRow("""{ "conv1": { "activation_quant_params": { "algo": "ifmr" } } }""", "conv1.activation_quant_params.algo: unknown key; conv1.activation_quant_params takes num_bits, act_algo")]
    [DataRow("""{ "conv1": { "weight_quant_params": { "channelwise": true } } }""", "conv1.weight_quant_params.channelwise: unknown key")]
    [DataRow("""{ "batch_nums": 2 }""", "batch_nums: not a known setting (version, batch_num, ")]
    [DataRow("""{ "skiplayers": ["a"] }""", "skiplayers: not a known setting")]
    [DataRow("""{ "": {} }""", "an empty key names no layer")]
    public void Unknown_keys_are_AMCT1122_naming_the_path_and_the_known_keys(string json, string messagePart)
    {
        AssertParseFails(json, ErrorCodes.ConfigUnknownKey, messagePart);
    }

    [TestMethod]
    [DataRow("""[1, 2]""", "the file: expected an object { ... }, found the array [1, 2]")]
    [DataRow("""{ "batch_num": "2" }""", "batch_num: expected an integer, found the string \"2\"")]
    [DataRow("""{ "batch_num": 2.0 }""", "batch_num: expected an integer, found the number 2.0")]
    [DataRow("""{ "version": true }""", "version: expected an integer, found true")]
    [DataRow("""{ "activation_offset": "true" }""", "activation_offset: expected true or false, found the string \"true\"")]
    [DataRow("""{ "do_fusion": 1 }""", "do_fusion: expected true or false, found the number 1")]
    [DataRow("""{ "skip_layers": "conv1" }""", "skip_layers: expected an array of strings, found the string \"conv1\"")]
    [DataRow("""{ "skip_layer_types": ["Conv", 3] }""", "skip_layer_types[1]: expected a string, found the number 3")]
    [DataRow("""{ "skip_fusion_layers": null }""", "skip_fusion_layers: null is not a value; remove the key")]
    [DataRow("""{ "conv1": { "quant_enable": "yes" } }""", "conv1.quant_enable: expected true or false")]
    [DataRow("""{ "conv1": { "activation_quant_params": [] } }""", "conv1.activation_quant_params: expected an object { ... }, found the array []")]
    [DataRow("""{ "conv1": { "activation_quant_params": { "act_algo": 1 } } }""", "conv1.activation_quant_params.act_algo: expected a string, found the number 1")]
    [DataRow("""{ "conv1": { "activation_quant_params": { "search_range": [0.7, "1.3"] } } }""", "conv1.activation_quant_params.search_range[1]: expected a number")]
    [DataRow("""{ "conv1": { "activation_quant_params": { "search_range": 0.7 } } }""", "conv1.activation_quant_params.search_range: expected an array of numbers")]
    [DataRow("""{ "conv1": { "activation_quant_params": { "max_percentile": "0.99" } } }""", "conv1.activation_quant_params.max_percentile: expected a number")]
    [DataRow("""{ "conv1": { "weight_quant_params": { "channel_wise": 0 } } }""", "conv1.weight_quant_params.channel_wise: expected true or false, found the number 0")]
    public void Wrong_JSON_types_are_AMCT1123(string json, string messagePart)
    {
        AssertParseFails(json, ErrorCodes.ConfigWrongType, messagePart);
    }

    [TestMethod]
    [DataRow("""{ "version": 2 }""", "version: the number 2 is not allowed; allowed: 1")]
    [DataRow("""{ "batch_num": 0 }""", "batch_num: the number 0 is not allowed; allowed: an integer greater than 0")]
    [DataRow("""{ "batch_num": -3 }""", "batch_num: the number -3 is not allowed")]
    [DataRow("""{ "batch_num": 99999999999999999999 }""", "batch_num: the number 99999999999999999999 is not allowed")]
    [DataRow("""{ "l": { "activation_quant_params": { "num_bits": 16 } } }""", "l.activation_quant_params.num_bits: the number 16 is not allowed; allowed: 8")]
    [DataRow("""{ "l": { "weight_quant_params": { "num_bits": 4 } } }""", "l.weight_quant_params.num_bits: the number 4 is not allowed; allowed: 8")]
    [DataRow("""{ "l": { "activation_quant_params": { "act_algo": "IFMR" } } }""", "l.activation_quant_params.act_algo: the string \"IFMR\" is not allowed; allowed: ifmr, hfmg, minmax, percentile, entropy")]
    [DataRow("""{ "l": { "activation_quant_params": { "max_percentile": 0.5 } } }""", "l.activation_quant_params.max_percentile: the number 0.5 is not allowed; allowed: greater than 0.5 and at most 1")]
    [DataRow("""{ "l": { "activation_quant_params": { "min_percentile": 1.01 } } }""", "l.activation_quant_params.min_percentile: the number 1.01 is not allowed")]
    [DataRow("""{ "l": { "activation_quant_params": { "max_percentile": 1e999 } } }""", "l.activation_quant_params.max_percentile: the number 1e999 is not allowed; allowed: a finite number")]
    [DataRow("""{ "l": { "activation_quant_params": { "search_range": [1.3, 0.7] } } }""", "l.activation_quant_params.search_range: the array [1.3, 0.7] is not allowed; allowed: [start, end] with 0 < start < end")]
    [DataRow("""{ "l": { "activation_quant_params": { "search_range": [0, 1] } } }""", "search_range: the array [0, 1] is not allowed")]
    [DataRow("""{ "l": { "activation_quant_params": { "search_range": [0.7, 1.0, 1.3] } } }""", "search_range: the array [0.7, 1.0, 1.3] is not allowed")]
    [DataRow("""{ "l": { "activation_quant_params": { "search_step": 0 } } }""", "l.activation_quant_params.search_step: the number 0 is not allowed; allowed: greater than 0 and at most 0.6 (search_range end - start, with AMCT's default search_range [0.7, 1.3])")]
    [DataRow("""{ "l": { "activation_quant_params": { "search_range": [0.9, 1.1], "search_step": 0.3 } } }""", "search_step: the number 0.3 is not allowed; allowed: greater than 0 and at most 0.2 (search_range end - start)")]
    [DataRow("""{ "l": { "activation_quant_params": { "act_algo": "hfmg", "num_of_bins": 1000 } } }""", "l.activation_quant_params.num_of_bins: the number 1000 is not allowed; allowed: 1024, 2048, 4096 or 8192")]
    [DataRow("""{ "l": { "weight_quant_params": { "wts_algo": "arq" } } }""", "l.weight_quant_params.wts_algo: the string \"arq\" is not allowed; allowed: \"arq_quantize\"")]
    public void Out_of_range_values_are_AMCT1124_naming_the_value_and_the_allowed_values(string json, string messagePart)
    {
        AssertParseFails(json, ErrorCodes.ConfigValueOutOfRange, messagePart);
    }

    [TestMethod]
    [DataRow("hfmg", "search_step", "0.01", "search_step is a parameter of ifmr, not of act_algo \"hfmg\"")]
    [DataRow("hfmg", "max_percentile", "0.999", "max_percentile is a parameter of ifmr and percentile, not of act_algo \"hfmg\"")]
    [DataRow("ifmr", "num_of_bins", "4096", "num_of_bins is a parameter of hfmg and entropy, not of act_algo \"ifmr\"")]
    [DataRow("minmax", "search_range", "[0.7, 1.3]", "search_range is a parameter of ifmr, not of act_algo \"minmax\"")]
    [DataRow("percentile", "search_step", "0.01", "not of act_algo \"percentile\"")]
    [DataRow("entropy", "min_percentile", "0.99", "not of act_algo \"entropy\"")]
    public void Parameters_of_another_algorithm_are_AMCT1125(string algorithm, string parameter, string value, string messagePart)
    {
        AssertParseFails($$"""{ "conv1": { "activation_quant_params": { "act_algo": "{{algorithm}}", "{{parameter}}": {{value}} } } }""",
            ErrorCodes.ConfigParameterNotForAlgorithm, $"conv1.activation_quant_params.{parameter}: ", messagePart, "remove it or change act_algo");
    }

    [TestMethod]
    public void Parameters_of_two_algorithms_without_act_algo_are_AMCT1125()
    {
        AssertParseFails("""{ "conv1": { "activation_quant_params": { "search_step": 0.01, "num_of_bins": 2048 } } }""",
            ErrorCodes.ConfigParameterNotForAlgorithm, "conv1.activation_quant_params.num_of_bins: ",
            "no single algorithm takes all of search_step (ifmr), num_of_bins (hfmg and entropy)", "set act_algo");
    }

    [TestMethod]
    [DataRow("""{ "batch_num": 1, "batch_num": 2 }""", "batch_num: the key appears twice")]
    [DataRow("""{ "conv1": {}, "conv2": {}, "conv1": { "quant_enable": false } }""", "conv1: the key appears twice")]
    [DataRow("""{ "conv1": { "quant_enable": true, "quant_enable": false } }""", "conv1.quant_enable: the key appears twice")]
    [DataRow("""{ "conv1": { "activation_quant_params": { "act_algo": "ifmr", "act_algo": "hfmg" } } }""", "conv1.activation_quant_params.act_algo: the key appears twice")]
    [DataRow("""{ "conv1": { "weight_quant_params": { "channel_wise": true, "channel_wise": true } } }""", "conv1.weight_quant_params.channel_wise: the key appears twice")]
    public void Duplicate_keys_are_AMCT1126_naming_the_path(string json, string messagePart)
    {
        AssertParseFails(json, ErrorCodes.ConfigDuplicateKey, messagePart);
    }

    [TestMethod]
    [DataRow("""{ "joint_quant": true }""", "joint_quant: joint quantization of Eltwise inputs is not supported; set it to false")]
    [DataRow("""{ "conv1": { "weight_quant_params": { "wts_algo": "ada_quantize" } } }""", "conv1.weight_quant_params.wts_algo: \"ada_quantize\" (AdaRound) is not supported yet; use \"arq_quantize\"")]
    [DataRow("""{ "conv1": { "weight_quant_params": { "wts_algo": "nuq_quantize" } } }""", "conv1.weight_quant_params.wts_algo: \"nuq_quantize\" (non-uniform quantization) is not supported")]
    [DataRow("""{ "conv1": { "weight_quant_params": { "num_iteration": 10000 } } }""", "conv1.weight_quant_params.num_iteration: num_iteration is a parameter of AMCT's ada_quantize")]
    [DataRow("""{ "conv1": { "weight_quant_params": { "wts_algo": "arq_quantize", "num_steps": 32 } } }""", "conv1.weight_quant_params.num_steps: num_steps is a parameter of AMCT's nuq_quantize")]
    public void Features_we_do_not_support_are_AMCT1127_and_say_so(string json, string messagePart)
    {
        AssertParseFails(json, ErrorCodes.ConfigUnsupported, messagePart);
    }

    [TestMethod]
    public void Errors_of_a_file_name_the_full_path_as_target()
    {
        using var temp = new TempFolder();
        var path = temp.File("config.json");
        File.WriteAllText(path, """{ "conv1": { "activation_quant_params": { "num_bits": 4 } } }""");
        var error = AssertReadFails(path, ErrorCodes.ConfigValueOutOfRange, "conv1.activation_quant_params.num_bits: the number 4");
        // At the key's line and column, so a build puts it in MSBuild's position fields.
        StringAssert.StartsWith(error.ToCanonicalString(), $"{path}(1,43): error AMCT1124: conv1.activation_quant_params.num_bits");
    }

    private static AmctException AssertParseFails(string json, string code, params string[] messageParts)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => QuantConfigReader.Parse(Encoding.UTF8.GetBytes(json), Source));
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual(Source, error.Target);
        foreach (var part in messageParts)
        {
            StringAssert.Contains(error.Message, part);
        }
        return error;
    }

    private static AmctException AssertReadFails(string path, string code, string messagePart)
    {
        var error = Assert.ThrowsExactly<AmctException>(() => QuantConfigReader.Read(path));
        Assert.AreEqual(code, error.Code, error.Message);
        Assert.AreEqual(Path.GetFullPath(path), error.Target);
        StringAssert.Contains(error.Message, messagePart);
        return error;
    }
}
