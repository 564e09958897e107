using Amct.Build.Tasks.Json;

namespace Amct.Build.Tasks.Tests;

[TestClass]
public sealed class JsonTests
{
    [TestMethod]
    public void Written_json_reads_back_and_parses_with_System_Text_Json()
    {
        var text = new JsonWriter().StartObject()
            .String("path", "C:\\models\\\"quoted\"\n\u0001")
            .Number("count", 42)
            .Boolean("flag", false)
            .String("none", null)
            .StartArray("list").String(null, "a").String(null, "b").EndArray()
            .StartArray("empty").EndArray()
            .EndObject().ToString();
        using var document = System.Text.Json.JsonDocument.Parse(text);
        Assert.AreEqual("C:\\models\\\"quoted\"\n\u0001", document.RootElement.GetProperty("path").GetString());

        var root = (Dictionary<string, object?>)JsonReader.Parse(text)!;
        Assert.AreEqual("C:\\models\\\"quoted\"\n\u0001", root["path"]);
        Assert.AreEqual(42.0, root["count"]);
        Assert.IsFalse((bool)root["flag"]!);
        Assert.IsNull(root["none"]);
        CollectionAssert.AreEqual(new object[] { "a", "b" }, (List<object?>)root["list"]!);
        Assert.IsEmpty((List<object?>)root["empty"]!);
    }

    [TestMethod]
    public void Unicode_escapes_as_System_Text_Json_writes_them_are_read()
    {
        var root = (Dictionary<string, object?>)JsonReader.Parse("{\"s\": \"a \\u003E b \\u00e9\"}")!;
        Assert.AreEqual("a > b é", root["s"]);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("{")]
    [DataRow("{\"a\": }")]
    [DataRow("{\"a\": 1,}")]
    [DataRow("[1 2]")]
    [DataRow("\"unterminated")]
    [DataRow("{} extra")]
    [DataRow("nul")]
    public void Malformed_json_is_a_FormatException(string text) =>
        Assert.ThrowsExactly<FormatException>(() => JsonReader.Parse(text));

    [TestMethod]
    public void Deep_nesting_is_refused_not_a_stack_overflow() =>
        Assert.ThrowsExactly<FormatException>(() => JsonReader.Parse(new string('[', 100_000)));
}
