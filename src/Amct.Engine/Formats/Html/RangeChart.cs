using System.Text;
using Amct.Engine.Calibration;

namespace Amct.Engine.Formats.Html;

/// <summary>One activation tensor's ranges: what calibration observed, where the method clipped, and its histogram.</summary>
internal sealed record RangeRow(string Label, double? ObservedMin, double? ObservedMax, double ClipMin, double ClipMax,
    ActivationHistogram? Histogram, string Tooltip);

/// <summary>
/// One row per activation tensor, each on its own scale (ranges differ by orders of magnitude between tensors): the
/// histogram of the calibration values (log-scaled heights, so a spike at 0 does not flatten the rest), the observed
/// range as a light bar, the clip range as a dark bar on it, and a tick at 0.
/// </summary>
internal static class RangeChart
{
    private const double LabelWidth = 230;
    private const double PlotWidth = 380;
    private const double ValueWidth = 230;
    private const double HistogramHeight = 22;
    private const double BarHeight = 8;

    public static void Render(StringBuilder html, IReadOnlyList<RangeRow> rows, string description)
    {
        var rowHeight = HistogramHeight + BarHeight + 12;
        Svg.Open(html, LabelWidth + PlotWidth + ValueWidth, (rows.Count * rowHeight) + 8, description, "chart ranges");
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var top = 4 + (i * rowHeight);
            var low = new[] { row.ObservedMin ?? row.ClipMin, row.ClipMin, 0 }.Where(double.IsFinite).Min();
            var high = new[] { row.ObservedMax ?? row.ClipMax, row.ClipMax, 0 }.Where(double.IsFinite).Max();
            high = Math.Max(high, low + 1e-12);
            double X(double v) => LabelWidth + (Math.Clamp((v - low) / (high - low), 0, 1) * PlotWidth);
            var barY = top + HistogramHeight + 2;
            html.Append("<g class=\"row\">").Append(Svg.Title(row.Tooltip)).Append('\n');
            Svg.Text(html, LabelWidth - 6, barY + BarHeight, Svg.Label(row.Label), "end", "label");
            if (row.Histogram is { } histogram)
            {
                Histogram(html, histogram, X, top);
            }
            if (row is { ObservedMin: { } min, ObservedMax: { } max })
            {
                Rect(html, "observed", X(min), barY, X(max) - X(min), BarHeight);
            }
            Rect(html, "clip", X(row.ClipMin), barY + 2, X(row.ClipMax) - X(row.ClipMin), BarHeight - 4);
            html.Append("<line class=\"zero\" x1=\"").Append(Markup.Coordinate(X(0))).Append("\" y1=\"").Append(Markup.Coordinate(top))
                .Append("\" x2=\"").Append(Markup.Coordinate(X(0))).Append("\" y2=\"").Append(Markup.Coordinate(barY + BarHeight + 2)).Append("\"/>\n");
            Svg.Text(html, LabelWidth + PlotWidth + 8, barY + BarHeight,
                $"clip [{Markup.Number(row.ClipMin, "G4")}, {Markup.Number(row.ClipMax, "G4")}]", "start", "value");
            html.Append("</g>\n");
        }
        Svg.Close(html);
    }

    private static void Histogram(StringBuilder html, ActivationHistogram histogram, Func<double, double> x, double top)
    {
        var peak = Math.Log(1 + histogram.Counts.DefaultIfEmpty(0).Max());
        if (peak <= 0)
        {
            return;
        }
        var width = (histogram.High - histogram.Low) / histogram.Counts.Count;
        for (var b = 0; b < histogram.Counts.Count; b++)
        {
            if (histogram.Counts[b] == 0)
            {
                continue;
            }
            var height = Math.Log(1 + histogram.Counts[b]) / peak * HistogramHeight;
            var from = x(histogram.Low + (b * width));
            var to = x(histogram.Low + ((b + 1) * width));
            Rect(html, "histogram", from, top + HistogramHeight - height, to - from, height);
        }
    }

    private static void Rect(StringBuilder html, string cssClass, double x, double y, double width, double height) =>
        html.Append("<rect class=\"").Append(cssClass).Append("\" x=\"").Append(Markup.Coordinate(x)).Append("\" y=\"")
            .Append(Markup.Coordinate(y)).Append("\" width=\"").Append(Markup.Coordinate(Math.Max(1, width))).Append("\" height=\"")
            .Append(Markup.Coordinate(height)).Append("\"/>\n");
}
