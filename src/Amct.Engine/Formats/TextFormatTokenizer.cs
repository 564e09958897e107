using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Amct.Engine.Formats;

internal enum TokenKind
{
    /// <summary>A name: a field name, or a word value such as <c>true</c>, <c>inf</c> or an enum value.</summary>
    Identifier,

    /// <summary>A quoted string; <see cref="Token.Text"/> holds the decoded value.</summary>
    String,

    /// <summary>A decimal, hexadecimal (0x..) or octal (0..) integer, without its sign.</summary>
    Integer,

    /// <summary>A number with a decimal point, an exponent or an f suffix, without its sign.</summary>
    Float,

    /// <summary>One of <c>{ } &lt; &gt; [ ] : , ; -</c>.</summary>
    Symbol,

    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>A token of protobuf text format and where it starts (1-based line and column).</summary>
internal readonly record struct Token(TokenKind Kind, string Text, int Line, int Column)
{
    public bool Is(string symbol) => Kind == TokenKind.Symbol && Text == symbol;

    /// <summary>The token as a message shows it.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.End => "the end of the file",
        TokenKind.String => $"the string \"{Text}\"",
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Splits protobuf text format into tokens. Google.Protobuf for C# has no text-format parser, so this covers what
/// record files use: <c>#</c> comments, strings in double or single quotes with C escapes, integers (decimal, hex,
/// octal), floats with exponent and optional f suffix, identifiers and the delimiters. Whitespace and newlines may
/// appear between any two tokens.
/// </summary>
internal sealed partial class TextFormatTokenizer(string text, string source, string syntaxErrorCode)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private int _position;
    private int _line = 1;
    private int _lineStart;
    private Token? _peeked;

    /// <summary>The next token, without consuming it.</summary>
    public Token Peek() => _peeked ??= Read();

    /// <summary>The next token, consumed.</summary>
    public Token Next()
    {
        var token = Peek();
        _peeked = null;
        return token;
    }

    /// <summary>A syntax error at the given place in the file.</summary>
    public AmctException SyntaxError(int line, int column, string message) =>
        new(syntaxErrorCode, source, $"line {line}, column {column}: {message}") { Line = line, Column = column };

    private int Column => _position - _lineStart + 1;

    private Token Read()
    {
        SkipWhitespaceAndComments();
        if (_position >= text.Length)
        {
            return new Token(TokenKind.End, "", _line, Column);
        }
        var c = text[_position];
        if (char.IsAsciiLetter(c) || c == '_')
        {
            return ReadIdentifier();
        }
        if (char.IsAsciiDigit(c) || (c == '.' && _position + 1 < text.Length && char.IsAsciiDigit(text[_position + 1])))
        {
            return ReadNumber();
        }
        if (c is '"' or '\'')
        {
            return ReadString(c);
        }
        if (c is '{' or '}' or '<' or '>' or '[' or ']' or ':' or ',' or ';' or '-')
        {
            var token = new Token(TokenKind.Symbol, c.ToString(), _line, Column);
            _position++;
            return token;
        }
        throw SyntaxError(_line, Column, $"unexpected character '{c}' (U+{(int)c:X4}).");
    }

    private void SkipWhitespaceAndComments()
    {
        while (_position < text.Length)
        {
            var c = text[_position];
            if (c == '\n')
            {
                _position++;
                _line++;
                _lineStart = _position;
            }
            else if (char.IsWhiteSpace(c))
            {
                _position++;
            }
            else if (c == '#')
            {
                // A comment runs to the end of the line; the newline itself is counted above.
                while (_position < text.Length && text[_position] != '\n')
                {
                    _position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private Token ReadIdentifier()
    {
        var start = _position;
        while (_position < text.Length && (char.IsAsciiLetterOrDigit(text[_position]) || text[_position] == '_'))
        {
            _position++;
        }
        return new Token(TokenKind.Identifier, text[start.._position], _line, start - _lineStart + 1);
    }

    /// <summary>
    /// Reads everything that can belong to a number (letters too, so <c>12abc</c> is one bad token rather than a number
    /// followed by a name), then checks it against the text format's number grammar.
    /// </summary>
    private Token ReadNumber()
    {
        var start = _position;
        var column = Column;
        var isHex = text[_position] == '0' && _position + 1 < text.Length && text[_position + 1] is 'x' or 'X';
        while (_position < text.Length)
        {
            var c = text[_position];
            var isExponentSign = c is '+' or '-' && !isHex && text[_position - 1] is 'e' or 'E';
            if (!char.IsAsciiLetterOrDigit(c) && c != '.' && c != '_' && !isExponentSign)
            {
                break;
            }
            _position++;
        }
        var number = text[start.._position];
        if (IntegerPattern().IsMatch(number))
        {
            return new Token(TokenKind.Integer, number, _line, column);
        }
        if (FloatPattern().IsMatch(number))
        {
            return new Token(TokenKind.Float, number, _line, column);
        }
        throw SyntaxError(_line, column, $"'{number}' is not a number.");
    }

    private Token ReadString(char quote)
    {
        var column = Column;
        var bytes = new List<byte>();
        _position++;
        while (true)
        {
            if (_position >= text.Length || text[_position] == '\n')
            {
                throw SyntaxError(_line, column, $"the string is not closed with {quote} on its line.");
            }
            var c = text[_position];
            if (c == quote)
            {
                _position++;
                break;
            }
            if (c == '\\')
            {
                ReadEscape(bytes);
                continue;
            }
            // Copy a run of plain characters at once (keeps surrogate pairs together).
            var runStart = _position;
            while (_position < text.Length && text[_position] is not ('\\' or '\n') && text[_position] != quote)
            {
                _position++;
            }
            bytes.AddRange(Encoding.UTF8.GetBytes(text, runStart, _position - runStart));
        }
        try
        {
            // Escapes are bytes (as in C++ protobuf), so the decoded string is checked to be UTF-8 as a whole.
            return new Token(TokenKind.String, StrictUtf8.GetString(bytes.ToArray()), _line, column);
        }
        catch (DecoderFallbackException)
        {
            throw SyntaxError(_line, column, "the string's escapes do not form valid UTF-8 text.");
        }
    }

    /// <summary>Reads one C escape (the backslash is at the current position) and appends its bytes.</summary>
    private void ReadEscape(List<byte> bytes)
    {
        var column = Column;
        _position++;
        if (_position >= text.Length)
        {
            throw SyntaxError(_line, column, "the file ends inside an escape sequence.");
        }
        var c = text[_position++];
        switch (c)
        {
            case 'a': bytes.Add(0x07); return;
            case 'b': bytes.Add(0x08); return;
            case 'f': bytes.Add(0x0C); return;
            case 'n': bytes.Add(0x0A); return;
            case 'r': bytes.Add(0x0D); return;
            case 't': bytes.Add(0x09); return;
            case 'v': bytes.Add(0x0B); return;
            case '\\' or '\'' or '"' or '?': bytes.Add((byte)c); return;
        }
        if (c is >= '0' and <= '7')
        {
            // Up to three octal digits: one byte.
            var value = c - '0';
            for (var i = 0; i < 2 && _position < text.Length && text[_position] is >= '0' and <= '7'; i++)
            {
                value = (value * 8) + (text[_position++] - '0');
            }
            if (value > 0xFF)
            {
                throw SyntaxError(_line, column, "an octal escape must be at most \\377.");
            }
            bytes.Add((byte)value);
            return;
        }
        if (c is 'x' or 'X')
        {
            bytes.Add((byte)ReadHexDigits(column, minDigits: 1, maxDigits: 2));
            return;
        }
        if (c is 'u' or 'U')
        {
            var digits = c == 'u' ? 4 : 8;
            var codePoint = ReadHexDigits(column, digits, digits);
            if (!Rune.IsValid(codePoint))
            {
                throw SyntaxError(_line, column, $"\\{c} escape {codePoint:X} is not a Unicode character.");
            }
            Span<byte> utf8 = stackalloc byte[4];
            var length = new Rune(codePoint).EncodeToUtf8(utf8);
            bytes.AddRange(utf8[..length].ToArray());
            return;
        }
        throw SyntaxError(_line, column, $"unknown escape sequence '\\{c}'.");
    }

    private int ReadHexDigits(int column, int minDigits, int maxDigits)
    {
        var start = _position;
        while (_position < text.Length && _position - start < maxDigits && char.IsAsciiHexDigit(text[_position]))
        {
            _position++;
        }
        if (_position - start < minDigits)
        {
            throw SyntaxError(_line, column, $"a hexadecimal escape needs {minDigits} hex digit(s).");
        }
        return int.Parse(text.AsSpan(start, _position - start), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
    }

    // Text format integers: hex 0x.., octal 0.., decimal.
    [GeneratedRegex("^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$")]
    private static partial Regex IntegerPattern();

    // Text format floats: 1.5, 1., .5, 1e5, 1.5e-3, each optionally with an f suffix, and 1f.
    [GeneratedRegex(@"^(([0-9]+\.[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+|[0-9]+(?=[fF]$))[fF]?$")]
    private static partial Regex FloatPattern();
}
