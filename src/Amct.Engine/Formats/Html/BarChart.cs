using System.Text;

namespace Amct.Engine.Formats.Html;

/// <summary>One bar: its label, value (non-finite values draw no bar), CSS class and hover text.</summary>
internal sealed record Bar(string Label, double Value, string CssClass, string Tooltip);

/// <summary>
/// Horizontal bars, one row each, scaled from the smaller of 0 and the lowest value to the largest: sensitivity, weight
/// SQNR, sizes, latencies, op counts.
/// </summary>
internal static class BarChart
{
    private const double LabelWidth = 230;
    private const double BarWidth = 380;
    private const double ValueWidth = 110;
    private const double RowHeight = 20;

    /// <param name="html">Where the SVG goes.</param>
    /// <param name="bars">The rows, in the order drawn.</param>
    /// <param name="format">How a value is written after its bar.</param>
    /// <param name="description">What the chart shows (its accessible name).</param>
    public static void Render(StringBuilder html, IReadOnlyList<Bar> bars, Func<double, string> format, string description)
    {
        var finite = bars.Select(b => b.Value).Where(double.IsFinite).ToList();
        var low = Math.Min(0, finite.Count > 0 ? finite.Min() : 0);
        var high = Math.Max(finite.Count > 0 ? finite.Max() : 1, low + 1e-9);
        double X(double v) => LabelWidth + ((v - low) / (high - low) * BarWidth);
        var height = (bars.Count * RowHeight) + 8;
        Svg.Open(html, LabelWidth + BarWidth + ValueWidth, height, description, "chart bars");
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var y = 4 + (i * RowHeight);
            html.Append("<g class=\"row\">").Append(Svg.Title(bar.Tooltip)).Append('\n');
            Svg.Text(html, LabelWidth - 6, y + 14, Svg.Label(bar.Label), "end", "label");
            if (double.IsFinite(bar.Value))
            {
                var (from, to) = (X(Math.Min(0, bar.Value)), X(Math.Max(0, bar.Value)));
                html.Append("<rect class=\"").Append(bar.CssClass).Append("\" x=\"").Append(Markup.Coordinate(from))
                    .Append("\" y=\"").Append(Markup.Coordinate(y + 3)).Append("\" width=\"").Append(Markup.Coordinate(Math.Max(1, to - from)))
                    .Append("\" height=\"").Append(Markup.Coordinate(RowHeight - 6)).Append("\"/>\n");
            }
            Svg.Text(html, LabelWidth + BarWidth + 6, y + 14, double.IsFinite(bar.Value) ? format(bar.Value) : "–", "start", "value");
            html.Append("</g>\n");
        }
        if (low < 0)
        {
            html.Append("<line class=\"axis\" x1=\"").Append(Markup.Coordinate(X(0))).Append("\" y1=\"0\" x2=\"")
                .Append(Markup.Coordinate(X(0))).Append("\" y2=\"").Append(Markup.Coordinate(height)).Append("\"/>\n");
        }
        Svg.Close(html);
    }
}
