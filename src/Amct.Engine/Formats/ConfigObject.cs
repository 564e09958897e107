using System.Text.Json;

namespace Amct.Engine.Formats;

/// <summary>
/// One JSON object of a config file, with typed getters that return null for an absent key and turn anything else
/// that is wrong into a coded error naming the file and the key path (e.g. <c>conv1.activation_quant_params.num_bits</c>),
/// the value found and what is allowed. Duplicate keys are an error when the object is opened: JsonDocument keeps
/// them all, and which one would count is not obvious to the reader of the file (AMCT rejects them too).
/// </summary>
internal sealed class ConfigObject
{
    private readonly Dictionary<string, JsonElement> _values = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];

    /// <param name="element">The JSON value, which must be an object.</param>
    /// <param name="path">The key path of the object; empty for the file's top level.</param>
    /// <param name="source">The file, named in errors.</param>
    /// <param name="positions">Where the file's keys are, for the line and column of errors.</param>
    public ConfigObject(JsonElement element, string path, string source, JsonPositions positions)
    {
        Path = path;
        Source = source;
        Positions = positions;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Error(ErrorCodes.ConfigWrongType, path.Length == 0 ? "the file" : path,
                $"expected an object {{ ... }}, found {Describe(element)}.");
        }
        foreach (var property in element.EnumerateObject())
        {
            if (!_values.TryAdd(property.Name, property.Value))
            {
                throw Error(ErrorCodes.ConfigDuplicateKey, PathOf(property.Name),
                    "the key appears twice in the same object; keep one of them.");
            }
            _keys.Add(property.Name);
        }
    }

    /// <summary>The key path of this object; empty at the top level.</summary>
    public string Path { get; }

    /// <summary>The file, named in errors.</summary>
    public string Source { get; }

    /// <summary>Where the file's keys are.</summary>
    public JsonPositions Positions { get; }

    /// <summary>The keys, in file order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    public bool Has(string key) => _values.ContainsKey(key);

    public JsonElement this[string key] => _values[key];

    /// <summary>The key path of one of this object's keys.</summary>
    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Rejects every key not in <paramref name="known"/>, listing the known ones.</summary>
    public void RejectUnknownKeys(IReadOnlyList<string> known)
    {
        foreach (var key in _keys.Where(key => !known.Contains(key)))
        {
            throw Error(ErrorCodes.ConfigUnknownKey, PathOf(key),
                $"unknown key; {(Path.Length == 0 ? "the top level" : Path)} takes {string.Join(", ", known)}.");
        }
    }

    public bool? Bool(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongType(key, value, "true or false"),
        };
    }

    /// <summary>An integer; <paramref name="isAllowed"/> checks its range, described by <paramref name="allowed"/>.</summary>
    public int? Int(string key, Func<long, bool> isAllowed, string allowed)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.Number || !IsIntegerLiteral(value.GetRawText()))
        {
            throw WrongType(key, value, "an integer");
        }
        if (!value.TryGetInt64(out var number) || !isAllowed(number) || number is < int.MinValue or > int.MaxValue)
        {
            throw OutOfRange(key, value, allowed);
        }
        return (int)number;
    }

    /// <summary>A finite number; <paramref name="isAllowed"/> checks its range, described by <paramref name="allowed"/>.</summary>
    public double? Number(string key, Func<double, bool> isAllowed, string allowed)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        var number = ToNumber(key, value);
        return isAllowed(number) ? number : throw OutOfRange(key, value, allowed);
    }

    public string? String(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw WrongType(key, value, "a string");
    }

    /// <summary>An array of strings (layer names or types).</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        var items = Array(key, value, "an array of strings");
        var strings = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            strings.Add(items[i].ValueKind == JsonValueKind.String
                ? items[i].GetString()!
                : throw WrongType($"{key}[{i}]", items[i], "a string"));
        }
        return strings;
    }

    /// <summary>An array of finite numbers.</summary>
    public IReadOnlyList<double>? NumberList(string key)
    {
        if (!TryGet(key, out var value))
        {
            return null;
        }
        var items = Array(key, value, "an array of numbers");
        return items.Select((item, i) => ToNumber($"{key}[{i}]", item)).ToList();
    }

    /// <summary>A nested object.</summary>
    public ConfigObject? Object(string key) => TryGet(key, out var value) ? new ConfigObject(value, PathOf(key), Source, Positions) : null;

    /// <summary>An error about one of this object's keys (its key path), at the key's line and column in the file.</summary>
    public AmctException Error(string code, string key, string message) => At(code, key, $"{key}: {message}");

    /// <summary>An error with its own message, at the line and column of the key at <paramref name="path"/>.</summary>
    public AmctException At(string code, string path, string message, Exception? inner = null) =>
        new(code, Source, message, inner) { Line = Positions.Of(path)?.Line, Column = Positions.Of(path)?.Column };

    public AmctException OutOfRange(string key, JsonElement value, string allowed) =>
        Error(ErrorCodes.ConfigValueOutOfRange, PathOf(key), $"{Describe(value)} is not allowed; allowed: {allowed}.");

    /// <summary>How a message shows a value: its JSON text, shortened when long.</summary>
    public static string Describe(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => $"the array {value.GetRawText()}",
            JsonValueKind.String => $"the string {value.GetRawText()}",
            JsonValueKind.Number => $"the number {value.GetRawText()}",
            _ => value.GetRawText(),
        };
        return text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
    }

    private bool TryGet(string key, out JsonElement value)
    {
        if (!_values.TryGetValue(key, out value))
        {
            return false;
        }
        // null is not "unset" in AMCT (its type checks reject it); say how to leave a setting unset.
        if (value.ValueKind == JsonValueKind.Null)
        {
            throw Error(ErrorCodes.ConfigWrongType, PathOf(key), "null is not a value; remove the key to leave the setting unset.");
        }
        return true;
    }

    private double ToNumber(string key, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw WrongType(key, value, "a number");
        }
        // System.Text.Json reports numbers beyond double's range as not readable rather than infinite.
        return value.TryGetDouble(out var number) && double.IsFinite(number)
            ? number
            : throw OutOfRange(key, value, "a finite number");
    }

    private List<JsonElement> Array(string key, JsonElement value, string expected) =>
        value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : throw WrongType(key, value, expected);

    private AmctException WrongType(string key, JsonElement value, string expected) =>
        Error(ErrorCodes.ConfigWrongType, PathOf(key), $"expected {expected}, found {Describe(value)}.");

    /// <summary>JSON has one number type; an integer setting must be written without fraction or exponent (8, not 8.0).</summary>
    private static bool IsIntegerLiteral(string raw) => raw.TrimStart('-').All(char.IsAsciiDigit);
}
