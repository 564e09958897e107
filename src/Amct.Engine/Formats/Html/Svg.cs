using System.Text;

namespace Amct.Engine.Formats.Html;

/// <summary>Shared pieces of the report's inline SVG charts: the opening tag, labels and hover titles.</summary>
internal static class Svg
{
    /// <summary>Longest label drawn in a chart; the full name is in the hover title and in the tables.</summary>
    public const int LabelChars = 28;

    public static void Open(StringBuilder html, double width, double height, string description, string cssClass)
    {
        html.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"").Append(cssClass)
            .Append("\" width=\"").Append(Markup.Coordinate(width)).Append("\" height=\"").Append(Markup.Coordinate(height))
            .Append("\" viewBox=\"0 0 ").Append(Markup.Coordinate(width)).Append(' ').Append(Markup.Coordinate(height))
            .Append("\" role=\"img\" aria-label=\"").Append(Markup.Escape(description)).Append("\">\n");
    }

    public static void Close(StringBuilder html) => html.Append("</svg>\n");

    /// <summary>A text element; <paramref name="anchor"/> is start, middle or end.</summary>
    public static void Text(StringBuilder html, double x, double y, string text, string anchor = "start", string? cssClass = null,
        string? transform = null)
    {
        html.Append("<text x=\"").Append(Markup.Coordinate(x)).Append("\" y=\"").Append(Markup.Coordinate(y))
            .Append("\" text-anchor=\"").Append(anchor).Append('"');
        if (cssClass is not null)
        {
            html.Append(" class=\"").Append(cssClass).Append('"');
        }
        if (transform is not null)
        {
            html.Append(" transform=\"").Append(transform).Append('"');
        }
        html.Append('>').Append(Markup.Escape(text)).Append("</text>\n");
    }

    /// <summary>A hover title (the element's tooltip), escaped.</summary>
    public static string Title(string text) => "<title>" + Markup.Escape(text) + "</title>";

    /// <summary>A label cut to <see cref="LabelChars"/> characters (never inside a surrogate pair), marked with an ellipsis.</summary>
    public static string Label(string text)
    {
        if (text.Length <= LabelChars)
        {
            return text;
        }
        var cut = LabelChars - 1;
        if (char.IsLowSurrogate(text[cut]))
        {
            cut--;
        }
        return text[..cut] + "…";
    }
}
