namespace Amct.Engine.Formats;

/// <summary>A scalar value as written: its token kind, its text (decoded for strings), its sign and where it is.</summary>
internal sealed record TextScalar(TokenKind Kind, string Text, bool Negative, int Line, int Column)
{
    /// <summary>The value as written in the file, for messages.</summary>
    public string Describe() => Kind == TokenKind.String ? $"\"{Text}\"" : (Negative ? "-" : "") + Text;
}

/// <summary>
/// One occurrence of a field: either a scalar (<c>name: value</c>) or a message (<c>name { ... }</c>). A repeated field
/// is one occurrence per value, in file order, so "last one wins" and "append" are both decided by the reader.
/// </summary>
internal sealed record TextField(string Name, int Line, int Column, TextScalar? Scalar, IReadOnlyList<TextField>? Message);

/// <summary>
/// Parses protobuf text format into fields without a schema: what each field means is the caller's business. Accepts
/// the forms protobuf's own parsers accept for the fields record files use: <c>name: value</c>, <c>name { ... }</c>,
/// <c>name: { ... }</c>, <c>name &lt; ... &gt;</c>, lists <c>name: [v1, v2]</c>, adjacent strings joined, and an
/// optional <c>,</c> or <c>;</c> after each field.
/// </summary>
internal sealed class TextFormatParser
{
    /// <summary>Deepest nesting of messages accepted: record files need 2; the limit stops a hostile file from overflowing the stack.</summary>
    private const int MaxDepth = 32;

    private readonly TextFormatTokenizer _tokens;

    private TextFormatParser(string text, string source, string syntaxErrorCode) =>
        _tokens = new TextFormatTokenizer(text, source, syntaxErrorCode);

    /// <summary>The top-level fields of the text.</summary>
    /// <param name="text">The file's content.</param>
    /// <param name="source">The file to name in errors.</param>
    /// <param name="syntaxErrorCode">The code of a syntax error: the record file's, unless the text is another kind of file.</param>
    public static IReadOnlyList<TextField> Parse(string text, string source, string syntaxErrorCode = ErrorCodes.RecordSyntaxError) =>
        new TextFormatParser(text, source, syntaxErrorCode).ParseFields(closing: null, opening: null, depth: 0);

    /// <summary>Fields up to the closing delimiter (or the end of the text at the top level).</summary>
    private List<TextField> ParseFields(string? closing, Token? opening, int depth)
    {
        var fields = new List<TextField>();
        while (true)
        {
            var token = _tokens.Peek();
            if (token.Kind == TokenKind.End)
            {
                if (opening is { } open)
                {
                    throw Error(token, $"the '{open.Text}' opened on line {open.Line} is not closed with '{closing}'.");
                }
                return fields;
            }
            if (closing is not null && token.Is(closing))
            {
                _tokens.Next();
                return fields;
            }
            ParseField(fields, depth);
        }
    }

    /// <summary>One field (every value of it, for a list) followed by an optional separator.</summary>
    private void ParseField(List<TextField> fields, int depth)
    {
        var name = _tokens.Next();
        if (name.Kind != TokenKind.Identifier)
        {
            throw Error(name, name.Is("[")
                ? "extension and Any fields ([...]) are not supported."
                : $"expected a field name, found {name.Describe()}.");
        }
        var hasColon = _tokens.Peek().Is(":");
        if (hasColon)
        {
            _tokens.Next();
        }
        var next = _tokens.Peek();
        if (next.Is("{") || next.Is("<"))
        {
            fields.Add(ParseMessage(name, depth));
        }
        else if (!hasColon)
        {
            throw Error(next, $"expected ':' or '{{' after the field name '{name.Text}', found {next.Describe()}.");
        }
        else if (next.Is("["))
        {
            ParseList(name, fields, depth);
        }
        else
        {
            fields.Add(new TextField(name.Text, name.Line, name.Column, ParseScalar(), null));
        }
        if (_tokens.Peek().Is(",") || _tokens.Peek().Is(";"))
        {
            _tokens.Next();
        }
    }

    private TextField ParseMessage(Token name, int depth)
    {
        var open = _tokens.Next();
        if (depth + 1 > MaxDepth)
        {
            throw Error(open, $"messages are nested more than {MaxDepth} levels deep.");
        }
        var body = ParseFields(open.Text == "{" ? "}" : ">", open, depth + 1);
        return new TextField(name.Text, name.Line, name.Column, null, body);
    }

    /// <summary>A list <c>[a, b, ...]</c>: each element becomes one occurrence of the field.</summary>
    private void ParseList(Token name, List<TextField> fields, int depth)
    {
        var open = _tokens.Next();
        if (_tokens.Peek().Is("]"))
        {
            _tokens.Next();
            return;
        }
        while (true)
        {
            var element = _tokens.Peek();
            fields.Add(element.Is("{") || element.Is("<")
                ? ParseMessage(name, depth)
                : new TextField(name.Text, element.Line, element.Column, ParseScalar(), null));
            var separator = _tokens.Next();
            if (separator.Is("]"))
            {
                return;
            }
            if (!separator.Is(","))
            {
                throw Error(separator, separator.Kind == TokenKind.End
                    ? $"the '[' opened on line {open.Line} is not closed with ']'."
                    : $"expected ',' or ']' in the list of '{name.Text}', found {separator.Describe()}.");
            }
        }
    }

    /// <summary>A number or word (optionally negative), or one or more adjacent strings joined into one.</summary>
    private TextScalar ParseScalar()
    {
        var first = _tokens.Next();
        if (first.Kind == TokenKind.String)
        {
            var text = first.Text;
            while (_tokens.Peek().Kind == TokenKind.String)
            {
                text += _tokens.Next().Text;
            }
            return new TextScalar(TokenKind.String, text, false, first.Line, first.Column);
        }
        var negative = first.Is("-");
        var value = negative ? _tokens.Next() : first;
        if (value.Kind is not (TokenKind.Integer or TokenKind.Float or TokenKind.Identifier))
        {
            throw Error(value, $"expected a value, found {value.Describe()}.");
        }
        return new TextScalar(value.Kind, value.Text, negative, first.Line, first.Column);
    }

    private AmctException Error(Token at, string message) => _tokens.SyntaxError(at.Line, at.Column, message);
}
