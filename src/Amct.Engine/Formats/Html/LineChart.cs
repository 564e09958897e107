using System.Text;

namespace Amct.Engine.Formats.Html;

/// <summary>One point of a line chart: its x label, value, CSS class and hover text.</summary>
internal sealed record ChartPoint(string Label, double Value, string CssClass, string Tooltip);

/// <summary>
/// Points joined by a line over categorical x positions (layers in graph order, fallback step sizes), with a y axis in
/// round steps and the x labels turned 45°. Wide charts scroll inside their section.
/// </summary>
internal static class LineChart
{
    private const double Left = 56;
    private const double Top = 12;
    private const double PlotHeight = 220;
    private const double LabelHeight = 150;
    private static readonly double[] RoundSteps = [1, 2, 5, 10];

    public static void Render(StringBuilder html, IReadOnlyList<ChartPoint> points, string yTitle, string description)
    {
        var step = Math.Clamp(640.0 / Math.Max(1, points.Count), 14, 48);
        var width = Left + (step * Math.Max(1, points.Count)) + 24;
        var finite = points.Select(p => p.Value).Where(double.IsFinite).ToList();
        var (low, high, tick) = Axis(finite.Count > 0 ? finite.Min() : 0, finite.Count > 0 ? finite.Max() : 1);
        double X(int i) => Left + (step * (i + 0.5));
        double Y(double v) => Top + ((high - v) / (high - low) * PlotHeight);
        Svg.Open(html, width, Top + PlotHeight + LabelHeight, description, "chart line");
        for (var v = low; v <= high + (tick / 2); v += tick)
        {
            html.Append("<line class=\"grid\" x1=\"").Append(Markup.Coordinate(Left)).Append("\" y1=\"").Append(Markup.Coordinate(Y(v)))
                .Append("\" x2=\"").Append(Markup.Coordinate(width - 16)).Append("\" y2=\"").Append(Markup.Coordinate(Y(v))).Append("\"/>\n");
            Svg.Text(html, Left - 6, Y(v) + 4, Markup.Number(v, "0.##"), "end", "tick");
        }
        Svg.Text(html, 14, Top + (PlotHeight / 2), yTitle, "middle", "axis-title",
            $"rotate(-90 14 {Markup.Coordinate(Top + (PlotHeight / 2))})");
        var line = points.Select((p, i) => (p, i)).Where(x => double.IsFinite(x.p.Value))
            .Select(x => Markup.Coordinate(X(x.i)) + "," + Markup.Coordinate(Y(x.p.Value)));
        html.Append("<polyline class=\"trace\" points=\"").Append(string.Join(' ', line)).Append("\"/>\n");
        for (var i = 0; i < points.Count; i++)
        {
            var point = points[i];
            html.Append("<g class=\"point\">").Append(Svg.Title(point.Tooltip)).Append('\n');
            if (double.IsFinite(point.Value))
            {
                html.Append("<circle class=\"").Append(point.CssClass).Append("\" cx=\"").Append(Markup.Coordinate(X(i)))
                    .Append("\" cy=\"").Append(Markup.Coordinate(Y(point.Value))).Append("\" r=\"4\"/>\n");
            }
            var labelY = Top + PlotHeight + 12;
            Svg.Text(html, X(i), labelY, Svg.Label(point.Label), "end", "label",
                $"rotate(-45 {Markup.Coordinate(X(i))} {Markup.Coordinate(labelY)})");
            html.Append("</g>\n");
        }
        Svg.Close(html);
    }

    /// <summary>A y range that holds every value, in 4–10 round steps (1, 2 or 5 × a power of ten).</summary>
    private static (double Low, double High, double Tick) Axis(double min, double max)
    {
        if (max - min < 1e-9)
        {
            (min, max) = (min - 1, max + 1);
        }
        var raw = (max - min) / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var tick = RoundSteps.Select(m => m * power).First(t => t >= raw);
        return (Math.Floor(min / tick) * tick, Math.Ceiling(max / tick) * tick, tick);
    }
}
