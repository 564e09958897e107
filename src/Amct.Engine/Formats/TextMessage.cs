using System.Globalization;

namespace Amct.Engine.Formats;

/// <summary>
/// One message of a protobuf-text config read against its schema: the fields it may hold, the AMCT fields Amct.Build
/// refuses, and typed values with protobuf's merge rules (a single field given twice keeps the last value, a repeated
/// field collects every occurrence, a message given twice is merged). Every error is coded and names the file, the
/// line and column, and the field's path (<c>common_config.ifmr_quantize.search_step</c>).
/// </summary>
internal sealed class TextMessage
{
    private readonly IReadOnlyList<TextField> _fields;
    private readonly string _path;

    private TextMessage(IReadOnlyList<TextField> fields, string path, string source)
    {
        _fields = fields;
        _path = path;
        Source = source;
    }

    /// <summary>The file, named in errors.</summary>
    public string Source { get; }

    public static TextMessage Root(IReadOnlyList<TextField> fields, string source) => new(fields, "", source);

    /// <summary>
    /// Refuses a field outside <paramref name="known"/> (AMCT1122, listing them) and a field of
    /// <paramref name="unsupported"/> (AMCT1127, with why: an AMCT feature Amct.Build does not have).
    /// </summary>
    public void CheckFields(IReadOnlyCollection<string> known, IReadOnlyDictionary<string, string> unsupported)
    {
        foreach (var field in _fields)
        {
            if (unsupported.TryGetValue(field.Name, out var why))
            {
                throw Error(ErrorCodes.ConfigUnsupported, field, why);
            }
            if (!known.Contains(field.Name))
            {
                throw Error(ErrorCodes.ConfigUnknownKey, field,
                    $"unknown field; {(_path.Length == 0 ? "the config" : _path)} holds {string.Join(", ", known)}.");
            }
        }
    }

    public bool Has(string name) => _fields.Any(f => f.Name == name);

    /// <summary>The last occurrence of a single field (protobuf keeps the last), or null.</summary>
    public TextField? Last(string name) => _fields.LastOrDefault(f => f.Name == name);

    public bool? Bool(string name) => Scalar(name, (s, fail) => TextScalars.ToBool(s, fail));

    /// <summary>An unsigned integer field, which must satisfy <paramref name="valid"/> (AMCT1124 naming <paramref name="expected"/>).</summary>
    public int? UInt(string name, Func<long, bool> valid, string expected)
    {
        var value = Scalar(name, (s, fail) => (long?)TextScalars.ToUInt32(s, fail));
        return value is { } v && !valid(v) ? throw OutOfRange(name, expected) : (int?)value;
    }

    /// <summary>A float field (read as double, as the JSON config's numbers are), checked like <see cref="UInt"/>.</summary>
    public double? Number(string name, Func<double, bool> valid, string expected)
    {
        var value = Scalar(name, (s, fail) => (double?)ToDouble(s, fail));
        return value is { } v && !valid(v) ? throw OutOfRange(name, expected) : value;
    }

    /// <summary>An enum field: the word as written (<c>INT8</c>), or null.</summary>
    public string? Word(string name) => Scalar(name, (s, fail) => s.Kind == TokenKind.Identifier && !s.Negative
        ? s.Text
        : throw fail($"{s.Describe()} is not a name; write an enum value such as INT8 without quotes."));

    /// <summary>Every value of a repeated string field (null when the field is absent).</summary>
    public IReadOnlyList<string>? Strings(string name)
    {
        var fields = _fields.Where(f => f.Name == name).ToList();
        return fields.Count == 0 ? null : fields.Select(f => TextScalars.ToText(ScalarOf(f), Fail(f))).ToList();
    }

    /// <summary>A single message field, every occurrence merged into one, or null.</summary>
    public TextMessage? Message(string name)
    {
        var fields = _fields.Where(f => f.Name == name).ToList();
        return fields.Count == 0 ? null : new TextMessage(fields.SelectMany(f => MessageOf(f)).ToList(), PathOf(name), Source);
    }

    /// <summary>Each occurrence of a repeated message field.</summary>
    public IEnumerable<TextMessage> Messages(string name) =>
        _fields.Where(f => f.Name == name).Select(f => new TextMessage(MessageOf(f), PathOf(name), Source));

    /// <summary>The error for a value of the named field.</summary>
    public AmctException Error(string code, string name, string message) =>
        Last(name) is { } field ? Error(code, field, message) : new AmctException(code, Source, $"{PathOf(name)}: {message}");

    public AmctException OutOfRange(string name, string expected) =>
        Error(ErrorCodes.ConfigValueOutOfRange, name, $"{Last(name)?.Scalar?.Describe()} is not allowed; expected {expected}.");

    private AmctException Error(string code, TextField field, string message) =>
        new(code, Source, $"line {field.Line}, column {field.Column}: {PathOf(field.Name)}: {message}");

    private string PathOf(string name) => _path.Length == 0 ? name : $"{_path}.{name}";

    private T? Scalar<T>(string name, Func<TextScalar, Func<string, AmctException>, T> convert)
    {
        var field = Last(name);
        return field is null ? default : convert(ScalarOf(field), Fail(field));
    }

    private TextScalar ScalarOf(TextField field) =>
        field.Scalar ?? throw Error(ErrorCodes.ConfigWrongType, field, "takes a value (name: value), not a block { ... }.");

    private IReadOnlyList<TextField> MessageOf(TextField field) =>
        field.Message ?? throw Error(ErrorCodes.ConfigWrongType, field, "takes a block { ... }, not a value.");

    private Func<string, AmctException> Fail(TextField field) => problem => Error(ErrorCodes.ConfigWrongType, field, problem);

    private static double ToDouble(TextScalar scalar, Func<string, AmctException> fail)
    {
        if (scalar.Kind is not (TokenKind.Float or TokenKind.Integer) || scalar.Text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            throw fail($"{scalar.Describe()} is not a number.");
        }
        var value = double.Parse(scalar.Text.TrimEnd('f', 'F'), NumberStyles.Float, CultureInfo.InvariantCulture);
        return scalar.Negative ? -value : value;
    }
}
