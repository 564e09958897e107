using System.Globalization;
using System.Text;

namespace Amct.Engine.Data.Npy;

/// <summary>
/// Parses the small subset of Python literal syntax that numpy writes in an .npy header, e.g.
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (200, 1, 8, 8), }</c>: dicts with string keys,
/// tuples, lists, strings, integers, True, False and None. Anything else is a <see cref="FormatException"/>.
/// Values come back as <see cref="Dictionary{TKey,TValue}"/> (string keys), <see cref="List{T}"/> (tuples and
/// lists), string, long, bool or null.
/// </summary>
internal sealed class PythonLiteral
{
    // A header is untrusted input: bound the nesting so a hostile file cannot exhaust the stack.
    private const int MaxDepth = 32;

    private readonly string _text;
    private int _position;

    private PythonLiteral(string text) => _text = text;

    /// <summary>Parses <paramref name="text"/>, which must hold exactly one literal (surrounding whitespace allowed).</summary>
    public static object? Parse(string text)
    {
        var parser = new PythonLiteral(text);
        var value = parser.ParseValue(0);
        parser.SkipWhitespace();
        if (parser._position != text.Length)
        {
            throw parser.Error("unexpected text after the literal");
        }
        return value;
    }

    private object? ParseValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Error($"nested more than {MaxDepth} levels deep");
        }
        SkipWhitespace();
        if (_position >= _text.Length)
        {
            throw Error("the text ends where a value should start");
        }
        var c = _text[_position];
        return c switch
        {
            '{' => ParseDict(depth),
            '(' => ParseSequence(')', depth),
            '[' => ParseSequence(']', depth),
            '\'' or '"' => ParseString(),
            _ when c is '-' or '+' || char.IsAsciiDigit(c) => ParseInteger(),
            _ => ParseName(),
        };
    }

    private Dictionary<string, object?> ParseDict(int depth)
    {
        _position++; // '{'
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (!TryConsume('}'))
        {
            SkipWhitespace();
            if (_position >= _text.Length || _text[_position] is not ('\'' or '"'))
            {
                throw Error("a dict key must be a string");
            }
            var key = ParseString();
            Expect(':');
            if (!dict.TryAdd(key, ParseValue(depth + 1)))
            {
                throw Error($"the key '{key}' appears twice");
            }
            if (!TryConsume(','))
            {
                Expect('}');
                break;
            }
        }
        return dict;
    }

    private List<object?> ParseSequence(char close, int depth)
    {
        _position++; // '(' or '['
        var items = new List<object?>();
        while (!TryConsume(close))
        {
            items.Add(ParseValue(depth + 1));
            if (!TryConsume(','))
            {
                Expect(close);
                break;
            }
        }
        return items;
    }

    private string ParseString()
    {
        var quote = _text[_position++];
        var value = new StringBuilder();
        while (_position < _text.Length && _text[_position] != quote)
        {
            var c = _text[_position++];
            if (c == '\\' && _position < _text.Length)
            {
                // Only quotes and backslashes are escaped in what numpy writes; keep any other escaped char as is.
                c = _text[_position++];
            }
            value.Append(c);
        }
        if (_position >= _text.Length)
        {
            throw Error("a string is not closed");
        }
        _position++; // closing quote
        return value.ToString();
    }

    private long ParseInteger()
    {
        var start = _position;
        if (_text[_position] is '-' or '+')
        {
            _position++;
        }
        while (_position < _text.Length && char.IsAsciiDigit(_text[_position]))
        {
            _position++;
        }
        var digits = _text[start.._position];
        // numpy under Python 2 wrote shapes as (3L, 4L).
        if (_position < _text.Length && _text[_position] == 'L')
        {
            _position++;
        }
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw Error($"'{digits}' is not a 64-bit integer");
        }
        return value;
    }

    private object? ParseName()
    {
        var start = _position;
        while (_position < _text.Length && char.IsAsciiLetter(_text[_position]))
        {
            _position++;
        }
        var name = _text[start.._position];
        return name switch
        {
            "True" => true,
            "False" => false,
            "None" => null,
            _ => throw Error(name.Length == 0 ? $"unexpected '{_text[start]}'" : $"unexpected name '{name}'"),
        };
    }

    private bool TryConsume(char c)
    {
        SkipWhitespace();
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

    private void SkipWhitespace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position]))
        {
            _position++;
        }
    }

    private FormatException Error(string what) =>
        new($"{what} at character {_position.ToString(CultureInfo.InvariantCulture)}");
}
