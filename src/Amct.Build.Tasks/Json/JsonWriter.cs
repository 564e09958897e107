using System;
using System.Globalization;
using System.Text;

namespace Amct.Build.Tasks.Json;

/// <summary>
/// Writes indented JSON. The task cannot use System.Text.Json: on .NET Framework MSBuild (Visual Studio) it would be a
/// dependency the task ships and binds against whatever version the host loaded first; the job file needs only
/// objects, arrays, strings, numbers, booleans and null.
/// </summary>
internal sealed class JsonWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;
    private bool _first = true;

    public JsonWriter StartObject(string? name = null) => Open(name, '{');

    public JsonWriter EndObject() => Close('}');

    public JsonWriter StartArray(string? name = null) => Open(name, '[');

    public JsonWriter EndArray() => Close(']');

    public JsonWriter String(string? name, string? value)
    {
        Prefix(name);
        if (value is null)
        {
            _text.Append("null");
        }
        else
        {
            Quote(value);
        }
        return this;
    }

    public JsonWriter Number(string? name, long? value)
    {
        Prefix(name);
        _text.Append(value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "null");
        return this;
    }

    public JsonWriter Boolean(string? name, bool? value)
    {
        Prefix(name);
        _text.Append(value switch { true => "true", false => "false", null => "null" });
        return this;
    }

    public override string ToString() => _text.ToString();

    private JsonWriter Open(string? name, char bracket)
    {
        Prefix(name);
        _text.Append(bracket);
        _depth++;
        _first = true;
        return this;
    }

    private JsonWriter Close(char bracket)
    {
        _depth--;
        if (!_first)
        {
            NewLine();
        }
        _text.Append(bracket);
        _first = false;
        return this;
    }

    /// <summary>The separator, the line break and, inside an object, the quoted name.</summary>
    private void Prefix(string? name)
    {
        if (_depth > 0)
        {
            if (!_first)
            {
                _text.Append(',');
            }
            NewLine();
        }
        _first = false;
        if (name is not null)
        {
            Quote(name);
            _text.Append(": ");
        }
    }

    private void NewLine() => _text.Append('\n').Append(' ', 2 * _depth);

    private void Quote(string value)
    {
        _text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': _text.Append("\\\""); break;
                case '\\': _text.Append("\\\\"); break;
                case '\n': _text.Append("\\n"); break;
                case '\r': _text.Append("\\r"); break;
                case '\t': _text.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        _text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        _text.Append(c);
                    }
                    break;
            }
        }
        _text.Append('"');
    }
}
