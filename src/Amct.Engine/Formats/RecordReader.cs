using System.Text;
using Amct.Engine.IO;

namespace Amct.Engine.Formats;

/// <summary>
/// Reads an AMCT record file: a <c>ScaleOffsetRecord</c> in protobuf text format, one
/// <c>record { key: "&lt;layer&gt;" value { scale_d: ... offset_d: ... scale_w: ... offset_w: ... } }</c> per layer.
/// Fields may come in any order; a single field given twice keeps the last value (AMCT's documented behaviour), a
/// repeated field collects every occurrence. Anything wrong is an <see cref="AmctException"/> (AMCT11xx) whose target
/// is the file and whose message names the line and the record or field.
/// </summary>
public static class RecordReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The records of the file, in file order.</summary>
    public static IReadOnlyList<LayerRecord> Read(string path)
    {
        var fullPath = Path.GetFullPath(path);
        return Parse(ReadText(fullPath), fullPath);
    }

    /// <summary>The records of a record file's text.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="source">The file to name in errors.</param>
    internal static IReadOnlyList<LayerRecord> Parse(string text, string source)
    {
        var records = new List<LayerRecord>();
        var lineOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var field in TextFormatParser.Parse(text, source))
        {
            switch (field.Name)
            {
                case "record":
                    var record = ReadRecord(field, source);
                    if (!lineOfKey.TryAdd(record.Key, field.Line))
                    {
                        throw At(ErrorCodes.RecordDuplicateKey, source, field.Line, record.Key,
                            $"a second record for the same key (the first is on line {lineOfKey[record.Key]}); keep one " +
                            "record per layer.");
                    }
                    records.Add(record);
                    break;
                case "prune_record":
                    throw At(ErrorCodes.RecordFieldUnsupported, source, field.Line, null,
                        "prune_record is an AMCT field Amct.Build does not support (channel pruning); remove the " +
                        "prune_record blocks.");
                default:
                    throw At(ErrorCodes.RecordUnknownField, source, field.Line, null,
                        $"unknown field '{field.Name}'; a record file holds only record {{ key: ... value {{ ... }} }} blocks.");
            }
        }
        return records;
    }

    /// <summary>One <c>record { key: ... value { ... } }</c> entry (AMCT's <c>MapFiledEntry</c>), checked.</summary>
    private static LayerRecord ReadRecord(TextField entry, string source)
    {
        if (entry.Message is not { } fields)
        {
            throw At(ErrorCodes.RecordBadValue, source, entry.Line, null,
                "record takes a block: record { key: \"<layer>\" value { ... } }.");
        }
        var key = ReadKey(fields, source);
        if (string.IsNullOrEmpty(key))
        {
            throw At(ErrorCodes.RecordMissingKey, source, entry.Line, null,
                "the record has no key; every record names its layer (or tensor) with key: \"<name>\".");
        }
        var builder = new LayerRecordBuilder(key, (code, field, message) => At(code, source, field.Line, key, message));
        foreach (var field in fields)
        {
            switch (field.Name)
            {
                case "key":
                    break;
                case "value" when field.Message is { } value:
                    // A value given twice is merged into one, as protobuf merges a repeated message field occurrence.
                    foreach (var valueField in value)
                    {
                        builder.Add(valueField);
                    }
                    break;
                case "value":
                    throw At(ErrorCodes.RecordBadValue, source, field.Line, key, "value takes a block: value { scale_d: ... }.");
                case "kv_cache_value":
                    throw At(ErrorCodes.RecordFieldUnsupported, source, field.Line, key,
                        "kv_cache_value is an AMCT field Amct.Build does not support (KV-cache quantization of AMCT's " +
                        "PyTorch front-end for language models); remove it.");
                default:
                    throw At(ErrorCodes.RecordUnknownField, source, field.Line, key,
                        $"unknown field '{field.Name}'; a record holds key and value.");
            }
        }
        var record = builder.Build();
        if (RecordRules.FindProblem(record) is { } problem)
        {
            throw At(problem.Code, source, builder.LineOf(problem.Field) ?? entry.Line, key, problem.Message);
        }
        return record;
    }

    /// <summary>The record's key; if given twice, the last one (as for any single field).</summary>
    private static string? ReadKey(IReadOnlyList<TextField> fields, string source)
    {
        string? key = null;
        foreach (var field in fields.Where(f => f.Name == "key"))
        {
            if (field.Scalar is not { } scalar)
            {
                throw At(ErrorCodes.RecordBadValue, source, field.Line, null, "key takes a quoted name: key: \"<layer>\".");
            }
            key = TextScalars.ToText(scalar, problem => At(ErrorCodes.RecordBadValue, source, field.Line, null, $"key: {problem}"));
        }
        return key;
    }

    private static string ReadText(string fullPath)
    {
        if (!File.Exists(fullPath))
        {
            throw new AmctException(ErrorCodes.RecordFileNotFound, fullPath,
                Directory.Exists(fullPath)
                    ? "the record file path is a folder; give the path of the record file."
                    : "the record file does not exist. Check the path.");
        }
        byte[] bytes;
        try
        {
            bytes = UserFile.ReadAllBytes(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AmctException(ErrorCodes.RecordFileNotFound, fullPath, $"cannot read the record file: {e.Message}", e);
        }
        try
        {
            var text = StrictUtf8.GetString(bytes);
            return text.StartsWith('\uFEFF') ? text[1..] : text;
        }
        catch (DecoderFallbackException e)
        {
            throw new AmctException(ErrorCodes.RecordSyntaxError, fullPath,
                "the record file is not UTF-8 text; it may be a binary protobuf or " +
                "another kind of file. Save it as protobuf text format in UTF-8.", e);
        }
    }

    private static AmctException At(string code, string source, int line, string? key, string message) =>
        new(code, source, key is null ? $"line {line}: {message}" : $"line {line}: record '{key}': {message}") { Line = line };
}
