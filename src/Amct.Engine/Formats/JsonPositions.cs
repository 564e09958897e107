using System.Text.Json;

namespace Amct.Engine.Formats;

/// <summary>
/// Where each key and array element of a JSON file is, by key path (<c>conv1.activation_quant_params.num_bits</c>,
/// <c>skip_layers[2]</c>), so errors about a value's meaning carry the file's line and column like syntax errors do.
/// JsonDocument keeps no positions, so the bytes are read once more with a Utf8JsonReader. A key given twice maps to
/// its last occurrence, where the duplicate-key error belongs.
/// </summary>
internal sealed class JsonPositions
{
    private readonly Dictionary<string, (int Line, int Column)> _positions = new(StringComparer.Ordinal);

    private JsonPositions()
    {
    }

    /// <summary>No positions: every lookup gives none.</summary>
    public static JsonPositions None { get; } = new();

    /// <summary>The 1-based line and column of the key (or array element) at <paramref name="path"/>; null if unknown.</summary>
    public (int Line, int Column)? Of(string path) => _positions.TryGetValue(path, out var position) ? position : null;

    /// <summary>The positions in <paramref name="json"/> (valid JSON: the document was parsed from it already).</summary>
    public static JsonPositions Read(ReadOnlySpan<byte> json)
    {
        var map = new JsonPositions();
        var lines = new TextLines(json);
        var frames = new List<Frame>();
        string? pending = null; // the path of the value after a property name
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var parent = frames[^1].Path;
                        var name = reader.GetString()!;
                        pending = parent.Length == 0 ? name : $"{parent}.{name}";
                        map._positions[pending] = lines.Position((int)reader.TokenStartIndex);
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        frames.Add(new Frame(ValuePath(map, frames, pending, lines, (int)reader.TokenStartIndex),
                            reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        Next(frames);
                        break;
                    default:
                        ValuePath(map, frames, pending, lines, (int)reader.TokenStartIndex);
                        Next(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Not reached for a parsed document; positions are a help, never a new failure.
        }
        return map;
    }

    /// <summary>The path of the value starting here: an array element's own (recorded), else the pending key's.</summary>
    private static string ValuePath(JsonPositions map, List<Frame> frames, string? pending, TextLines lines, int offset)
    {
        if (frames.Count == 0)
        {
            return "";
        }
        var top = frames[^1];
        if (!top.IsArray)
        {
            return pending ?? "";
        }
        var path = $"{top.Path}[{top.Index}]";
        map._positions[path] = lines.Position(offset);
        return path;
    }

    private static void Next(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].IsArray)
        {
            frames[^1].Index++;
        }
    }

    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;
        public bool IsArray { get; } = isArray;
        public int Index { get; set; }
    }

    /// <summary>Byte offsets to 1-based lines and columns (columns count characters, not UTF-8 bytes).</summary>
    private sealed class TextLines
    {
        private readonly byte[] _text;
        private readonly List<int> _starts = [0];

        public TextLines(ReadOnlySpan<byte> text)
        {
            _text = text.ToArray();
            for (var i = 0; i < _text.Length; i++)
            {
                if (_text[i] == (byte)'\n')
                {
                    _starts.Add(i + 1);
                }
            }
        }

        public (int Line, int Column) Position(int offset)
        {
            var line = _starts.BinarySearch(offset);
            line = line >= 0 ? line : ~line - 1;
            var column = 1;
            for (var i = _starts[line]; i < offset; i++)
            {
                column += (_text[i] & 0xC0) == 0x80 ? 0 : 1; // continuation bytes belong to the character before
            }
            return (line + 1, column);
        }
    }
}
