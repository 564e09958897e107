using System.Globalization;
using System.Numerics;

namespace Amct.Engine.Formats;

/// <summary>
/// Converts text-format scalars to the protobuf types record fields declare, with the conversions protobuf's parsers
/// allow (an integer literal for a float field, 0/1 or t/f for a bool, <c>inf</c>/<c>nan</c> for a float). Each
/// method takes <c>error</c>, which turns a problem ("is not an integer") into the caller's error with
/// the file, line, record and field.
/// </summary>
internal static class TextScalars
{
    public static float ToFloat(TextScalar scalar, Func<string, AmctException> error)
    {
        float value;
        if (scalar.Kind == TokenKind.Float)
        {
            // float.Parse rounds correctly to the nearest float (no detour through double); the f suffix is C syntax.
            value = float.Parse(scalar.Text.TrimEnd('f', 'F'), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        else if (scalar.Kind == TokenKind.Integer)
        {
            value = (float)ParseUnsigned(scalar.Text);
        }
        else if (scalar.Kind == TokenKind.Identifier && IsWord(scalar, "inf", "infinity"))
        {
            value = float.PositiveInfinity;
        }
        else if (scalar.Kind == TokenKind.Identifier && IsWord(scalar, "nan"))
        {
            value = float.NaN;
        }
        else
        {
            throw error($"{scalar.Describe()} is not a number.");
        }
        return scalar.Negative ? -value : value;
    }

    public static int ToInt32(TextScalar scalar, Func<string, AmctException> error)
    {
        var value = ToInteger(scalar, error);
        return value >= int.MinValue && value <= int.MaxValue
            ? (int)value
            : throw error($"{scalar.Describe()} is outside the int32 range.");
    }

    public static uint ToUInt32(TextScalar scalar, Func<string, AmctException> error)
    {
        var value = ToInteger(scalar, error);
        return value >= uint.MinValue && value <= uint.MaxValue
            ? (uint)value
            : throw error($"{scalar.Describe()} is outside the uint32 range.");
    }

    public static bool ToBool(TextScalar scalar, Func<string, AmctException> error) =>
        (scalar.Kind, scalar.Negative, scalar.Text) switch
        {
            (TokenKind.Identifier, false, "true" or "True" or "t") => true,
            (TokenKind.Identifier, false, "false" or "False" or "f") => false,
            (TokenKind.Integer, false, "1") => true,
            (TokenKind.Integer, false, "0") => false,
            _ => throw error($"{scalar.Describe()} is not a bool; write true or false."),
        };

    public static string ToText(TextScalar scalar, Func<string, AmctException> error) =>
        scalar.Kind == TokenKind.String
            ? scalar.Text
            : throw error($"{scalar.Describe()} is not a string; write it in quotes.");

    private static BigInteger ToInteger(TextScalar scalar, Func<string, AmctException> error)
    {
        if (scalar.Kind != TokenKind.Integer)
        {
            throw error($"{scalar.Describe()} is not an integer.");
        }
        var magnitude = ParseUnsigned(scalar.Text);
        return scalar.Negative ? -magnitude : magnitude;
    }

    /// <summary>Whether the scalar is one of the words, in any case (protobuf accepts Inf, NaN, ...).</summary>
    private static bool IsWord(TextScalar scalar, params string[] words) =>
        words.Any(word => string.Equals(scalar.Text, word, StringComparison.OrdinalIgnoreCase));

    /// <summary>A decimal, 0x hexadecimal or 0 octal literal; the tokenizer has checked its digits.</summary>
    private static BigInteger ParseUnsigned(string text)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            // A leading 0 keeps BigInteger from reading the top hex digit as a sign.
            return BigInteger.Parse("0" + text[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }
        if (text.Length > 1 && text[0] == '0')
        {
            var octal = BigInteger.Zero;
            foreach (var digit in text.AsSpan(1))
            {
                octal = (octal * 8) + (digit - '0');
            }
            return octal;
        }
        return BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
