using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Amct.Engine.IO;

namespace Amct.Engine.Formats;

/// <summary>
/// Reads an AMCT JSON quantization config (<c>config.json</c> from AMCT's <c>create_quant_config</c>, optionally with
/// Amct.Build's <c>skip_layers</c> and <c>skip_layer_types</c>). The file is strict JSON, as AMCT's Python reader
/// expects: no comments, no trailing commas. Known top-level keys are global settings; every other top-level key names
/// a layer and holds an object. Everything is checked against AMCT's documented types and ranges, narrowed to what
/// Amct.Build supports; each problem is an <see cref="AmctException"/> (AMCT112x) naming the file and the key path.
/// </summary>
public static class QuantConfigReader
{
    private static readonly string[] GlobalKeys =
        ["version", "batch_num", "activation_offset", "do_fusion", "skip_fusion_layers", "joint_quant", "skip_layers", "skip_layer_types",
         "preprocess"];

    /// <summary>Amct.Build's extension: how image calibration/evaluation data is preprocessed (the CLI's settings).</summary>
    private static readonly string[] PreprocessKeys =
        ["preset", "resize", "interpolation", "crop", "color", "scale", "mean", "std", "layout"];

    private static readonly string[] LayerKeys = ["quant_enable", "dmq_balancer_param", "activation_quant_params", "weight_quant_params"];

    private static readonly string[] ActivationKeys =
        ["num_bits", "act_algo", "asymmetric", "max_percentile", "min_percentile", "search_range", "search_step", "num_of_bins"];

    /// <summary>Parameters of AMCT's AdaRound (ada_quantize) and NUQ (nuq_quantize) weight algorithms.</summary>
    private static readonly string[] UnsupportedWeightKeys =
        ["num_iteration", "reg_param", "beta_range", "warm_start", "num_steps", "num_of_iteration"];

    private static readonly string[] WeightKeys = ["num_bits", "wts_algo", "channel_wise", .. UnsupportedWeightKeys];

    /// <summary>AMCT's default IFMR search range, which bounds search_step when the layer does not set its own.</summary>
    private static readonly SearchRange DefaultSearchRange = new(0.7, 1.3);

    /// <summary>
    /// The config in a file: AMCT's JSON config, or its simplified config (a <c>.cfg</c> in protobuf text format), told
    /// apart by content — a JSON config is an object, so it starts with <c>{</c>; a text-format one with a field name or
    /// a comment — whatever the file is called.
    /// </summary>
    public static QuantConfig Read(string path)
    {
        var fullPath = Path.GetFullPath(path);
        var bytes = ReadBytes(fullPath);
        return IsJson(bytes) ? Parse(bytes, fullPath) : ParseSimplified(bytes, fullPath);
    }

    private static bool IsJson(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }
        var start = bytes.IndexOfAnyExcept(" \t\r\n"u8);
        return start < 0 || bytes[start] == (byte)'{';
    }

    private static QuantConfig ParseSimplified(byte[] bytes, string fullPath)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new AmctException(ErrorCodes.ConfigSyntaxError, fullPath,
                "the config is neither JSON nor protobuf text: it is not UTF-8 text. Save it as UTF-8.", e);
        }
        return SimplifiedConfigReader.Parse(text.StartsWith('\uFEFF') ? text[1..] : text, fullPath);
    }

    /// <summary>The config in a file's bytes (UTF-8 JSON).</summary>
    /// <param name="json">The file's content.</param>
    /// <param name="source">The file to name in errors.</param>
    internal static QuantConfig Parse(ReadOnlyMemory<byte> json, string source)
    {
        if (json.Span.StartsWith("\uFEFF"u8))
        {
            json = json[3..];
        }
        CheckUtf8(json.Span, source);
        using var document = ParseJson(json, source);
        var root = new ConfigObject(document.RootElement, "", source, JsonPositions.Read(json.Span));
        var jointQuant = root.Bool("joint_quant");
        if (jointQuant == true)
        {
            throw root.Error(ErrorCodes.ConfigUnsupported, "joint_quant",
                "joint quantization of Eltwise inputs is not supported; set it to false or remove it.");
        }
        return new QuantConfig
        {
            Version = root.Int("version", value => value == 1, "1 (the only config version)"),
            BatchNum = root.Int("batch_num", value => value > 0, "an integer greater than 0"),
            ActivationOffset = root.Bool("activation_offset"),
            DoFusion = root.Bool("do_fusion"),
            SkipFusionLayers = root.StringList("skip_fusion_layers"),
            JointQuant = jointQuant,
            SkipLayers = root.StringList("skip_layers"),
            SkipLayerTypes = root.StringList("skip_layer_types"),
            Preprocess = root.Object("preprocess") is { } preprocess ? ReadPreprocess(preprocess) : null,
            Layers = root.Keys.Where(key => !GlobalKeys.Contains(key)).Select(key => ReadLayer(root, key)).ToList(),
        };
    }

    /// <summary>
    /// The "preprocess" object: the same settings and text forms as the CLI options (e.g. "resize": "256",
    /// "crop": 224, "mean": "104,117,123"), checked with the same parser so errors read alike.
    /// </summary>
    private static Data.SampleSourceOptions ReadPreprocess(ConfigObject preprocess)
    {
        preprocess.RejectUnknownKeys(PreprocessKeys);
        string? Text(string key)
        {
            if (!preprocess.Has(key))
            {
                return null;
            }
            var value = preprocess[key];
            return value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(v => v.GetRawText())),
                _ => throw preprocess.Error(ErrorCodes.ConfigWrongType, preprocess.PathOf(key),
                    $"expected a string or a number, found {ConfigObject.Describe(value)}."),
            };
        }
        try
        {
            return Data.SampleSourceOptionsText.Parse(Text("preset"), Text("resize"), Text("interpolation"), Text("crop"),
                Text("color"), Text("scale"), Text("mean"), Text("std"), Text("layout"),
                settingName: key => preprocess.PathOf(key));
        }
        catch (AmctException e)
        {
            // Same message, but located in the config file.
            throw preprocess.At(e.Code, e.Target, e.Message, e);
        }
    }

    /// <summary>A layer entry: any top-level key that is not a global setting, whose value must be an object.</summary>
    private static LayerQuantConfig ReadLayer(ConfigObject root, string name)
    {
        if (root[name].ValueKind != JsonValueKind.Object)
        {
            // Most likely a misspelt global setting, so say both what the settings are and what a layer entry is.
            throw root.Error(ErrorCodes.ConfigUnknownKey, name,
                $"not a known setting ({string.Join(", ", GlobalKeys)}); any other top-level key names a layer and " +
                $"holds an object {{ ... }}, but its value is {ConfigObject.Describe(root[name])}.");
        }
        if (name.Length == 0)
        {
            throw root.Error(ErrorCodes.ConfigUnknownKey, "\"\"", "an empty key names no layer; write the layer's node name.");
        }
        var layer = root.Object(name)!;
        layer.RejectUnknownKeys(LayerKeys);
        return new LayerQuantConfig(name)
        {
            DmqStrength = layer.Number("dmq_balancer_param", IsMigrationStrength, MigrationStrengthRange),
            QuantEnable = layer.Bool("quant_enable"),
            Activation = layer.Object("activation_quant_params") is { } activation ? ReadActivation(activation) : null,
            Weight = layer.Object("weight_quant_params") is { } weight ? ReadWeight(weight) : null,
        };
    }

    private static ActivationQuantParams ReadActivation(ConfigObject node)
    {
        node.RejectUnknownKeys(ActivationKeys);
        var searchRange = ReadSearchRange(node);
        var range = searchRange ?? DefaultSearchRange;
        var rangeWidth = range.End - range.Start;
        var parameters = new ActivationQuantParams
        {
            NumBits = ReadNumBits(node),
            Algorithm = ReadActivationAlgorithm(node),
            Asymmetric = node.Bool("asymmetric"),
            MaxPercentile = node.Number("max_percentile", IsPercentile, "greater than 0.5 and at most 1"),
            MinPercentile = node.Number("min_percentile", IsPercentile, "greater than 0.5 and at most 1"),
            SearchRange = searchRange,
            // The tolerance lets a step equal to the width pass when the subtraction rounds down (0.3 - 0.1 < 0.2).
            SearchStep = node.Number("search_step", step => step > 0 && step <= rangeWidth * (1 + 1e-9),
                $"greater than 0 and at most {Text(rangeWidth)} (search_range end - start" +
                (searchRange is null ? $", with AMCT's default search_range [{Text(DefaultSearchRange.Start)}, {Text(DefaultSearchRange.End)}])" : ")")),
            NumOfBins = node.Int("num_of_bins", bins => bins is 1024 or 2048 or 4096 or 8192, "1024, 2048, 4096 or 8192"),
        };
        CheckParametersFitAlgorithm(node, parameters);
        return parameters;
    }

    internal static bool IsPercentile(double value) => value > 0.5 && value <= 1;

    /// <summary>AMCT's range of the DMQ migration strength (<c>dmq_balancer_param</c>, <c>migration_strength</c>).</summary>
    internal static bool IsMigrationStrength(double value) => value >= 0.2 && value <= 0.8;

    internal const string MigrationStrengthRange = "from 0.2 to 0.8";

    private static ActivationAlgorithm? ReadActivationAlgorithm(ConfigObject node)
    {
        if (node.String("act_algo") is not { } name)
        {
            return null;
        }
        foreach (var (knownName, algorithm) in ActivationAlgorithms.Names)
        {
            if (name == knownName)
            {
                return algorithm;
            }
        }
        throw node.OutOfRange("act_algo", node["act_algo"], string.Join(", ", ActivationAlgorithms.Names.Select(entry => entry.Key)));
    }

    /// <summary><c>search_range</c>: exactly [start, end] with 0 &lt; start &lt; end.</summary>
    private static SearchRange? ReadSearchRange(ConfigObject node)
    {
        if (node.NumberList("search_range") is not { } bounds)
        {
            return null;
        }
        if (bounds.Count != 2 || bounds[0] <= 0 || bounds[0] >= bounds[1])
        {
            throw node.OutOfRange("search_range", node["search_range"], "[start, end] with 0 < start < end, e.g. [0.7, 1.3]");
        }
        return new SearchRange(bounds[0], bounds[1]);
    }

    /// <summary>
    /// Parameters of one algorithm do nothing under another, so a mismatch means the file does not do what its author
    /// thinks. With act_algo set, every parameter must belong to it; without, one algorithm must take them all, and
    /// the pipeline checks them against the algorithm it resolves (see <see cref="ActivationQuantParams.ParametersNotUsedBy"/>).
    /// </summary>
    private static void CheckParametersFitAlgorithm(ConfigObject node, ActivationQuantParams parameters)
    {
        if (parameters.Algorithm is { } algorithm)
        {
            if (parameters.ParametersNotUsedBy(algorithm) is [var unused, ..])
            {
                throw node.Error(ErrorCodes.ConfigParameterNotForAlgorithm, node.PathOf(unused),
                    $"{unused} is a parameter of {ActivationAlgorithms.UsersOf(unused)}, not of act_algo " +
                    $"\"{ActivationAlgorithms.NameOf(algorithm)}\"; remove it or change act_algo.");
            }
            return;
        }
        var set = parameters.SetParameters().ToList();
        if (set.Count > 0 && !ActivationAlgorithms.Names.Any(entry => parameters.ParametersNotUsedBy(entry.Value).Count == 0))
        {
            throw node.Error(ErrorCodes.ConfigParameterNotForAlgorithm, node.PathOf(set[^1]),
                $"no single algorithm takes all of {string.Join(", ", set.Select(p => $"{p} ({ActivationAlgorithms.UsersOf(p)})"))}; " +
                "set act_algo and keep only its parameters.");
        }
    }

    private static WeightQuantParams ReadWeight(ConfigObject node)
    {
        node.RejectUnknownKeys(WeightKeys);
        var algorithm = ReadWeightAlgorithm(node);
        if (UnsupportedWeightKeys.FirstOrDefault(node.Has) is { } extra)
        {
            throw node.Error(ErrorCodes.ConfigUnsupported, node.PathOf(extra),
                $"{extra} is a parameter of AMCT's {(extra is "num_steps" or "num_of_iteration" ? "nuq_quantize" : "ada_quantize")}, " +
                "which Amct.Build does not support yet; remove it.");
        }
        return new WeightQuantParams
        {
            NumBits = ReadNumBits(node),
            Algorithm = algorithm,
            ChannelWise = node.Bool("channel_wise"),
        };
    }

    private static WeightAlgorithm? ReadWeightAlgorithm(ConfigObject node)
    {
        switch (node.String("wts_algo"))
        {
            case null:
                return null;
            case "arq_quantize":
                return WeightAlgorithm.Arq;
            case "ada_quantize":
                throw node.Error(ErrorCodes.ConfigUnsupported, node.PathOf("wts_algo"),
                    "\"ada_quantize\" (AdaRound) is not supported yet; use \"arq_quantize\".");
            case "nuq_quantize":
                throw node.Error(ErrorCodes.ConfigUnsupported, node.PathOf("wts_algo"),
                    "\"nuq_quantize\" (non-uniform quantization) is not supported; use \"arq_quantize\".");
            default:
                throw node.OutOfRange("wts_algo", node["wts_algo"], "\"arq_quantize\"");
        }
    }

    private static int? ReadNumBits(ConfigObject node) =>
        node.Int("num_bits", bits => bits == 8, "8 (Amct.Build quantizes to int8)");

    private static JsonDocument ParseJson(ReadOnlyMemory<byte> json, string source)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            // The exception's message ends with its own "LineNumber: 0 | BytePositionInLine: 3." (0-based); give 1-based.
            // It may also quote the bad text, newlines included; an error stays on one line.
            var reason = e.Message.Split(" LineNumber:")[0].Split(" Path:")[0].ReplaceLineEndings(" ");
            throw new AmctException(ErrorCodes.ConfigMalformedJson, source,
                $"line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}: the file is not valid JSON: {reason} " +
                "Fix the JSON (comments and trailing commas are not allowed).", e)
            {
                Line = (int?)e.LineNumber + 1,
                Column = (int?)e.BytePositionInLine + 1,
            };
        }
    }

    /// <summary>
    /// JsonDocument does not check the UTF-8 of strings until they are read, and then throws a plain
    /// InvalidOperationException; checking first gives the usual coded error with the line.
    /// </summary>
    private static void CheckUtf8(ReadOnlySpan<byte> json, string source)
    {
        var line = 1;
        for (var offset = 0; offset < json.Length;)
        {
            if (Rune.DecodeFromUtf8(json[offset..], out _, out var length) != OperationStatus.Done)
            {
                throw new AmctException(ErrorCodes.ConfigMalformedJson, source,
                    $"line {line}: the file is not valid JSON: it is not UTF-8 text. Save it as UTF-8.") { Line = line };
            }
            line += json[offset] == (byte)'\n' ? 1 : 0;
            offset += length;
        }
    }

    private static byte[] ReadBytes(string fullPath)
    {
        if (!File.Exists(fullPath))
        {
            throw new AmctException(ErrorCodes.ConfigFileNotFound, fullPath,
                Directory.Exists(fullPath)
                    ? "the config path is a folder; give the path of the JSON config file."
                    : "the config file does not exist. Check the path.");
        }
        try
        {
            return UserFile.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AmctException(ErrorCodes.ConfigFileNotFound, fullPath, $"cannot read the config file: {e.Message}", e);
        }
    }

    /// <summary>A number for a message; 10 digits hide binary noise such as 1.3 - 0.7 = 0.6000000000000001.</summary>
    private static string Text(double value) => value.ToString("G10", CultureInfo.InvariantCulture);
}
