using System.Text;

namespace Amct.Engine.Formats.Html;

/// <summary>A table cell: its text (escaped when written), right-aligned when a number, in code type when a name.</summary>
internal readonly record struct Cell(string Text, bool Numeric = false, bool Code = false)
{
    public static implicit operator Cell(string text) => new(text);

    public static Cell Number(double? value, string format = "0.00") => new(Markup.Number(value, format), Numeric: true);

    public static Cell Name(string name) => new(name, Code: true);
}

/// <summary>Writes an HTML table whose every cell is escaped text.</summary>
internal static class HtmlTable
{
    /// <param name="html">Where the table goes.</param>
    /// <param name="headers">The column headings.</param>
    /// <param name="rows">The rows, each as many cells as headings.</param>
    /// <param name="rowClass">The CSS class of every body row (lets tests and readers find the rows), or null.</param>
    public static void Write(StringBuilder html, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<Cell>> rows, string? rowClass = null)
    {
        html.Append("<table>\n<thead><tr>");
        foreach (var header in headers)
        {
            html.Append("<th>").Append(Markup.Escape(header)).Append("</th>");
        }
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            html.Append(rowClass is null ? "<tr>" : $"<tr class=\"{rowClass}\">");
            foreach (var cell in row)
            {
                html.Append(cell.Numeric ? "<td class=\"num\">" : "<td>");
                html.Append(cell.Code ? "<code>" : "").Append(Markup.Escape(cell.Text)).Append(cell.Code ? "</code>" : "").Append("</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }
}
