using System.Globalization;
using System.Text;

namespace Amct.Engine.Formats.Html;

/// <summary>
/// Text made safe for the HTML report, which is also well-formed XML (XHTML): layer and tensor names are user data and
/// may hold anything. The five markup characters become entities; characters XML 1.0 cannot hold at all, even as a
/// reference (control characters, lone surrogates, U+FFFE/U+FFFF), become U+FFFD. Framework encoders write those as
/// numeric references, which an XML parser refuses, so this one is our own.
/// </summary>
internal static class Markup
{
    public static string Escape(string text)
    {
        var result = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '&': result.Append("&amp;"); break;
                case '<': result.Append("&lt;"); break;
                case '>': result.Append("&gt;"); break;
                case '"': result.Append("&quot;"); break;
                case '\'': result.Append("&#39;"); break;
                case '\t' or '\n' or '\r': result.Append(c); break;
                case < ' ' or '\uFFFE' or '\uFFFF': result.Append('\uFFFD'); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        result.Append(c).Append(text[++i]);
                    }
                    else
                    {
                        result.Append(char.IsSurrogate(c) ? '\uFFFD' : c);
                    }
                    break;
            }
        }
        return result.ToString();
    }

    /// <summary>A number for text and attributes: invariant culture, <c>–</c> for a missing or non-finite value.</summary>
    public static string Number(double? value, string format = "0.00") =>
        value is { } v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    /// <summary>An SVG coordinate: invariant, at most two decimals, so the same report gives the same bytes.</summary>
    public static string Coordinate(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
