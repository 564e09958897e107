using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Amct.Build.Tasks.Json;

/// <summary>
/// Parses JSON into plain values: objects as <see cref="Dictionary{TKey,TValue}"/> (string keys), arrays as
/// <see cref="List{T}"/>, strings, numbers as <see cref="double"/>, booleans and null. Enough for the worker's result
/// file (see <see cref="JsonWriter"/> for why the task carries its own JSON code). Malformed input throws
/// <see cref="FormatException"/> with the offset.
/// </summary>
internal sealed class JsonReader
{
    private readonly string _text;
    private int _position;

    private JsonReader(string text) => _text = text;

    public static object? Parse(string text)
    {
        var reader = new JsonReader(text);
        var value = reader.Value(depth: 0);
        reader.SkipWhitespace();
        if (reader._position != text.Length)
        {
            throw reader.Error("unexpected text after the value");
        }
        return value;
    }

    private const int MaxDepth = 64;

    private object? Value(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error("nested too deeply");
        }
        SkipWhitespace();
        if (_position >= _text.Length)
        {
            throw Error("unexpected end");
        }
        var c = _text[_position];
        switch (c)
        {
            case '{': return Object(depth);
            case '[': return Array(depth);
            case '"': return String();
            case 't': return Literal("true", true);
            case 'f': return Literal("false", false);
            case 'n': return Literal("null", null);
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return Number();
                }
                throw Error($"unexpected character '{c}'");
        }
    }

    private Dictionary<string, object?> Object(int depth)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        _position++;
        SkipWhitespace();
        if (TryConsume('}'))
        {
            return result;
        }
        while (true)
        {
            SkipWhitespace();
            if (_position >= _text.Length || _text[_position] != '"')
            {
                throw Error("expected a property name");
            }
            var name = String();
            SkipWhitespace();
            Expect(':');
            result[name] = Value(depth + 1);
            SkipWhitespace();
            if (TryConsume('}'))
            {
                return result;
            }
            Expect(',');
        }
    }

    private List<object?> Array(int depth)
    {
        var result = new List<object?>();
        _position++;
        SkipWhitespace();
        if (TryConsume(']'))
        {
            return result;
        }
        while (true)
        {
            result.Add(Value(depth + 1));
            SkipWhitespace();
            if (TryConsume(']'))
            {
                return result;
            }
            Expect(',');
        }
    }

    private string String()
    {
        _position++;
        var result = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length)
            {
                throw Error("unterminated string");
            }
            var c = _text[_position++];
            if (c == '"')
            {
                return result.ToString();
            }
            if (c != '\\')
            {
                result.Append(c);
                continue;
            }
            if (_position >= _text.Length)
            {
                throw Error("unterminated escape");
            }
            var escaped = _text[_position++];
            switch (escaped)
            {
                case '"': result.Append('"'); break;
                case '\\': result.Append('\\'); break;
                case '/': result.Append('/'); break;
                case 'b': result.Append('\b'); break;
                case 'f': result.Append('\f'); break;
                case 'n': result.Append('\n'); break;
                case 'r': result.Append('\r'); break;
                case 't': result.Append('\t'); break;
                case 'u':
                    if (_position + 4 > _text.Length ||
                        !int.TryParse(_text.Substring(_position, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Error("bad \\u escape");
                    }
                    result.Append((char)code);
                    _position += 4;
                    break;
                default:
                    throw Error($"bad escape '\\{escaped}'");
            }
        }
    }

    private double Number()
    {
        var start = _position;
        while (_position < _text.Length && "+-0123456789.eE".IndexOf(_text[_position]) >= 0)
        {
            _position++;
        }
        var token = _text.Substring(start, _position - start);
        return double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw Error($"bad number '{token}'");
    }

    private object? Literal(string word, object? value)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0)
        {
            throw Error("unexpected word");
        }
        _position += word.Length;
        return value;
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private bool TryConsume(char c)
    {
        if (_position < _text.Length && _text[_position] == c)
        {
            _position++;
            return true;
        }
        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw Error($"expected '{c}'");
        }
    }

    private FormatException Error(string problem) =>
        new(string.Format(CultureInfo.InvariantCulture, "{0} at offset {1}", problem, _position));
}
