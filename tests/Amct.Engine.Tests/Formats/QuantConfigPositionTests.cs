using System.Text;
using Amct.Engine.Formats;

namespace Amct.Engine.Tests.Formats;

/// <summary>
/// Errors about a config value's meaning (a wrong type, an unknown key, a value out of range) carry the key's line and
/// column like syntax errors do, so a build puts them in MSBuild's position fields.
/// </summary>
[TestClass]
public sealed class QuantConfigPositionTests
{
    private const string Source = "/cfg/config.json";

    private const string Config = """
        {
          "batch_num": 2,
          "skip_layers": ["a", 3],
          "conv1": {
            "activation_quant_params": { "num_bits": "8" }
          },
          "é": { "quant_enable": true }, "x": 1
        }
        """;

    [TestMethod]
    [DataRow("\"skip_layers\": [\"a\", 3]", "3", "skip_layers[1]")]
    [DataRow("\"num_bits\": \"8\"", "\"num_bits\"", "conv1.activation_quant_params.num_bits")]
    public void A_wrong_type_is_at_the_key_or_element(string line, string at, string path)
    {
        var json = line.Contains("skip_layers", StringComparison.Ordinal) ? Config
            : Config.Replace("[\"a\", 3]", "[\"a\"]", StringComparison.Ordinal);
        var error = Assert.ThrowsExactly<AmctException>(() => QuantConfigReader.Parse(Encoding.UTF8.GetBytes(json), Source));
        Assert.AreEqual(ErrorCodes.ConfigWrongType, error.Code, error.Message);
        StringAssert.StartsWith(error.Message, path);
        var (expectedLine, expectedColumn) = Find(json, line, at);
        Assert.AreEqual(expectedLine, error.Line, error.Message);
        Assert.AreEqual(expectedColumn, error.Column, error.Message);
        StringAssert.StartsWith(error.ToCanonicalString(), $"{Source}({expectedLine},{expectedColumn}): error {ErrorCodes.ConfigWrongType}: ");
    }

    [TestMethod]
    public void An_unknown_layer_value_is_at_its_key_and_columns_count_characters()
    {
        var json = Config.Replace("[\"a\", 3]", "[\"a\"]", StringComparison.Ordinal)
            .Replace("{ \"num_bits\": \"8\" }", "{ \"num_bits\": 8 }", StringComparison.Ordinal);
        var error = Assert.ThrowsExactly<AmctException>(() => QuantConfigReader.Parse(Encoding.UTF8.GetBytes(json), Source));
        Assert.AreEqual(ErrorCodes.ConfigUnknownKey, error.Code, error.Message);
        StringAssert.StartsWith(error.Message, "x: not a known setting");
        // Columns count characters: the two-byte é before it does not shift the position.
        Assert.AreEqual(Find(json, "\"x\": 1", "\"x\""), (error.Line!.Value, error.Column!.Value), error.Message);
    }

    private static (int Line, int Column) Find(string json, string line, string at)
    {
        var lines = json.Split('\n');
        var index = Array.FindIndex(lines, l => l.Contains(line, StringComparison.Ordinal));
        return (index + 1, lines[index].IndexOf(at, lines[index].IndexOf(line, StringComparison.Ordinal), StringComparison.Ordinal) + 1);
    }
}
