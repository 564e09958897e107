using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amct.TestSupport;
using Google.Protobuf;

namespace Amct.Cli.Tests.Fuzz;

/// <summary>
/// The fuzz campaign's command lines and job files: every option <c>amct quantize --help</c> lists (so a new setting is
/// fuzzed without touching this file) with hostile values, and job files damaged in their structure and their bytes.
/// </summary>
internal static partial class FuzzCommandLines
{
    /// <summary>Values no option should turn into an internal error, a hang or a file outside the output folder.</summary>
    private static readonly string[] HostileValues =
    [
        "", " ", "-1", "0", "2147483647", "99999999999999999999", "NaN", "1e400", "../x", "a\u0001b", new string('9', 400),
        "{dir}/x.npy",
    ];

    public static IEnumerable<FuzzCase> Options()
    {
        var files = new Dictionary<string, byte[]> { ["m.onnx"] = ModelBuilder.Gemm().ToByteArray(), ["x.npy"] = GemmData() };
        foreach (var option in QuantizeOptions())
        {
            foreach (var value in HostileValues)
            {
                yield return new FuzzCase("option", $"{option} '{Printable(value)}'", files,
                    [.. Quantize("m.onnx", "x.npy"), option, value]);
            }
        }
        // Paths that are empty or name nothing, for every command that takes a path.
        foreach (var path in new[] { "", " ", "{dir}/missing.onnx", "{dir}", "a\u0001b" })
        {
            yield return new FuzzCase("option", $"inspect '{Printable(path)}'", files, ["inspect", path]);
            yield return new FuzzCase("option", $"quantize model '{Printable(path)}'", files,
                ["quantize", path, "--calibration-data", "{dir}/x.npy", "--output-dir", "{dir}/out"]);
            yield return new FuzzCase("option", $"evaluate model '{Printable(path)}'", files,
                ["evaluate", path, "{dir}/m.onnx", "--data", "{dir}/x.npy"]);
        }
    }

    /// <summary>A valid one-model job, then damaged: settings with hostile values, structural edits, mutated bytes.</summary>
    public static IEnumerable<FuzzCase> JobFiles(int mutated, int seed)
    {
        var files = new Dictionary<string, byte[]> { ["m.onnx"] = ModelBuilder.Gemm().ToByteArray(), ["x.npy"] = GemmData() };
        var valid = Job(("calibration-data", "{dir}/x.npy"));
        yield return JobCase("valid", files, valid);
        foreach (var edit in StructuralEdits())
        {
            yield return JobCase(edit.Name, files, edit.Text);
        }
        foreach (var flag in new[] { "calibration-data", "output-name", "samples", "batch-size", "method", "min-sqnr-db", "skip-layers", "config" })
        {
            foreach (var value in new[] { "", "-1", "NaN", "../x", "a\u0000b", new string('x', 300) })
            {
                yield return JobCase($"setting {flag} '{Printable(value)}'", files,
                    Job(("calibration-data", "{dir}/x.npy"), (flag, value)));
            }
        }
        var random = new Random(seed);
        var bytes = Encoding.UTF8.GetBytes(valid);
        // Paths stay intact: a job may name any output folder, so a mutated path would be a legitimate place to write.
        var mutable = Enumerable.Range(0, bytes.Length).Except(PathValues().Matches(valid).SelectMany(m => Enumerable.Range(m.Index, m.Length))).ToList();
        for (var i = 0; i < mutated; i++)
        {
            var copy = (byte[])bytes.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                copy[mutable[random.Next(mutable.Count)]] = (byte)random.Next(256);
            }
            yield return JobCase($"mutated #{i}", files, Encoding.UTF8.GetString(copy));
        }
    }

    private static IEnumerable<(string Name, string Text)> StructuralEdits()
    {
        const string Head = """{"format": "amct-job/2", "project": "{dir}/App.csproj", """;
        yield return ("empty file", "");
        yield return ("not an object", "[]");
        yield return ("models null", Head + """ "models": null}""");
        yield return ("models [null]", Head + """ "models": [null]}""");
        yield return ("models not a list", Head + """ "models": {"a": 1}}""");
        yield return ("model null", Head + """ "models": [{"item": "m", "model": null}]}""");
        yield return ("settings a list", Head + """ "models": [{"item": "m", "model": "{dir}/m.onnx", "settings": []}]}""");
        yield return ("a setting null", Head + """ "models": [{"item": "m", "model": "{dir}/m.onnx", "settings": {"samples": null}}]}""");
        yield return ("a setting a number", Head + """ "models": [{"item": "m", "model": "{dir}/m.onnx", "settings": {"samples": 3}}]}""");
        yield return ("unknown setting", Head + """ "models": [{"item": "m", "model": "{dir}/m.onnx", "settings": {"no-such": "1"}}]}""");
        yield return ("deep nesting", Head + """ "models": """ + new string('[', 5000) + new string(']', 5000) + "}");
        yield return ("format missing", """{"project": "p", "models": []}""");
        yield return ("duplicate key", Head + """ "models": [], "models": []}""");
    }

    private static FuzzCase JobCase(string name, Dictionary<string, byte[]> files, string text) =>
        new("job file", name, files, ["job", "{dir}/job.json", "--result", "{dir}/out/result.json"])
        {
            Setup = dir => File.WriteAllText(Path.Combine(dir, "job.json"), text.Replace("{dir}", dir, StringComparison.Ordinal)),
            ResultFile = "result.json",
        };

    private static string Job(params (string Flag, string Value)[] settings) => JsonSerializer.Serialize(new
    {
        format = "amct-job/2",
        project = "{dir}/App.csproj",
        models = new[]
        {
            new Dictionary<string, object>
            {
                ["item"] = "m.onnx",
                ["model"] = "{dir}/m.onnx",
                ["settings"] = settings.Append(("output-dir", "{dir}/out")).Append(("output-name", "m"))
                    .GroupBy(s => s.Item1).ToDictionary(g => g.Key, g => g.First().Item2),
            },
        },
    });

    /// <summary>
    /// Every option of <c>amct quantize</c>, read from its help, which the settings contract generates; all but
    /// --output-dir, where any folder given is a legitimate place to write.
    /// </summary>
    private static List<string> QuantizeOptions()
    {
        var output = new StringWriter();
        Program.Run(["quantize", "--help"], output, new StringWriter());
        var options = HelpOption().Matches(output.ToString()).Select(m => m.Groups[1].Value)
            .Where(o => o is not "--help" and not "--output-dir").Distinct().ToList();
        Assert.IsGreaterThan(20, options.Count, "amct quantize --help lists the options:\n" + output);
        return options;
    }

    private static string[] Quantize(string model, string data) =>
        ["quantize", "{dir}/" + model, "--calibration-data", "{dir}/" + data, "--output-dir", "{dir}/out"];

    private static byte[] GemmData() =>
        NpyWriter.Bytes<float>([8, 4], Enumerable.Range(0, 32).Select(i => (i % 11 - 5) * 0.2f).ToArray());

    private static string Printable(string value) =>
        value.Length > 20 ? value[..20] + "…" : value.Replace("\u0001", "\\u0001", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    [GeneratedRegex("\"\\{dir\\}[^\"]*\"")]
    private static partial Regex PathValues();

    [GeneratedRegex(@"^\s+(--[a-z0-9-]+)", RegexOptions.Multiline)]
    private static partial Regex HelpOption();
}
