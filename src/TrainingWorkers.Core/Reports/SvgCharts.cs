using System.Xml.Linq;
using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Core.Reports;

/// <summary>
/// Self-contained SVG documents for a run's report: no scripts, no external fonts or links, valid XML,
/// all text XML-escaped, all numbers in invariant culture.
/// </summary>
public static partial class SvgCharts
{
    /// <summary>Series with more points than this are drawn as plain lines; markers would only blur them.</summary>
    public const int MaxMarkedPoints = 300;

    private const double Top = 40, BottomSpace = 52, TickLength = 4, LegendSwatch = 24;

    /// <summary>
    /// A line chart with axes, round tick labels, axis titles, a legend and one colour per series, points marked.
    /// Non-finite points (NaN, ±∞) are left out and break the line. One point and all-equal values are drawn mid-chart.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is below 240 or <paramref name="height"/> below 160.</exception>
    public static string LineChart(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, int width = 640, int height = 400)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(xLabel);
        ArgumentNullException.ThrowIfNull(yLabel);
        ArgumentNullException.ThrowIfNull(series);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 240);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 160);
        for (int i = 0; i < series.Count; i++)
        {
            if (series[i]?.Name is null || series[i].Points is null)
            {
                throw new ArgumentException($"series[{i}] must have a name and points.", nameof(series));
            }
        }

        double legendTextWidth = series.Count == 0 ? 0 : Math.Min(series.Max(s => Svg.TextWidth(s.Name)), (width * 0.3) - LegendSwatch);
        double legendWidth = series.Count == 0 ? 0 : legendTextWidth + LegendSwatch + 16;
        var (xMin, xMax, yMin, yMax) = FiniteBounds(series);
        double bottom = height - BottomSpace;
        var yScale = NiceScale.Create(yMin, yMax, Math.Max(3, (int)((bottom - Top) / 40)));
        double left = 32 + yScale.Ticks().Max(t => Svg.TextWidth(yScale.Format(t)));
        double right = width - 16 - legendWidth;
        var xScale = FitXScale(xMin, xMax, right - left);

        var plot = new XElement(Svg.Ns + "g");
        DrawAxes(plot, xScale, yScale, left, right, bottom);
        for (int i = 0; i < series.Count; i++)
        {
            DrawSeries(plot, series[i], i, xScale, yScale, left, right, bottom);
        }

        var svg = Svg.Document(width, height, title,
            Svg.Heading(width / 2.0, title, width - 16),
            plot,
            Svg.Text((left + right) / 2, height - 10, Svg.Fit(xLabel, right - left)),
            Svg.Text(14, (Top + bottom) / 2, Svg.Fit(yLabel, bottom - Top), transform: $"rotate(-90 14 {Svg.Num((Top + bottom) / 2)})"),
            Legend(series, right + 16, Top + 4, legendTextWidth));
        return svg.ToString();
    }

    private static (double XMin, double XMax, double YMin, double YMax) FiniteBounds(IReadOnlyList<ChartSeries> series)
    {
        double xMin = double.PositiveInfinity, xMax = double.NegativeInfinity, yMin = double.PositiveInfinity, yMax = double.NegativeInfinity;
        foreach (var s in series)
        {
            foreach (var p in s.Points)
            {
                if (!IsFinite(p)) continue;
                (xMin, xMax) = (Math.Min(xMin, p.X), Math.Max(xMax, p.X));
                (yMin, yMax) = (Math.Min(yMin, p.Y), Math.Max(yMax, p.Y));
            }
        }

        // Nothing to draw: show an empty unit square rather than fail, so a run with no finite values still gets its picture.
        return xMin > xMax ? (0, 1, 0, 1) : (xMin, xMax, yMin, yMax);
    }

    // Fewer ticks until the widest label fits between its neighbours, so long labels such as 0.0005 never overlap.
    private static NiceScale FitXScale(double min, double max, double plotWidth)
    {
        for (int maxTicks = Math.Max(3, (int)(plotWidth / 60)); ; maxTicks--)
        {
            var scale = NiceScale.Create(min, max, maxTicks);
            var ticks = scale.Ticks();
            double widest = ticks.Max(t => Svg.TextWidth(scale.Format(t)));
            if (maxTicks <= 2 || (widest + 12) * (ticks.Count - 1) <= plotWidth) return scale;
        }
    }

    private static void DrawAxes(XElement plot, NiceScale x, NiceScale y, double left, double right, double bottom)
    {
        foreach (double tick in y.Ticks())
        {
            double py = y.Map(tick, bottom, Top);
            plot.Add(Line(left, py, right, py, "#e6e6e6"), Line(left - TickLength, py, left, py, "#444444"));
            plot.Add(Svg.Text(left - TickLength - 3, py + 4, y.Format(tick), anchor: "end"));
        }

        foreach (double tick in x.Ticks())
        {
            double px = x.Map(tick, left, right);
            plot.Add(Line(px, Top, px, bottom, "#e6e6e6"), Line(px, bottom, px, bottom + TickLength, "#444444"));
            plot.Add(Svg.Text(px, bottom + TickLength + 13, x.Format(tick)));
        }

        plot.Add(Line(left, Top, left, bottom, "#444444"), Line(left, bottom, right, bottom, "#444444"));
    }

    private static void DrawSeries(XElement plot, ChartSeries series, int index, NiceScale x, NiceScale y, double left, double right, double bottom)
    {
        var (colour, dashes) = Style(index);
        var group = Svg.Element("g", ("stroke", colour), ("fill", colour));
        bool markAll = series.Points.Count(IsFinite) <= MaxMarkedPoints;
        var run = new List<string>();
        string? previous = null;
        for (int i = 0; i <= series.Points.Count; i++)
        {
            if (i < series.Points.Count && IsFinite(series.Points[i]))
            {
                double px = x.Map(series.Points[i].X, left, right), py = y.Map(series.Points[i].Y, bottom, Top);
                string point = $"{Svg.Num(px)},{Svg.Num(py)}";
                if (point != previous) run.Add(point);
                previous = point;
                if (markAll) group.Add(Svg.Element("circle", ("cx", px), ("cy", py), ("r", 2.5)));
                continue;
            }

            // End of a finite run: a gap or the end of the series.
            if (run.Count > 1)
            {
                group.Add(Svg.Element("polyline", ("points", string.Join(' ', run)), ("fill", "none"), ("stroke-width", 2), ("stroke-linejoin", "round"),
                    ("stroke-dasharray", dashes)));
            }
            else if (run.Count == 1 && !markAll)
            {
                var xy = run[0].Split(',');
                group.Add(Svg.Element("circle", ("cx", xy[0]), ("cy", xy[1]), ("r", 2.5)));
            }

            run.Clear();
            previous = null;
        }

        plot.Add(group);
    }

    private static XElement Legend(IReadOnlyList<ChartSeries> series, double x, double y, double textWidth)
    {
        var legend = Svg.Element("g", ("class", "legend"));
        for (int i = 0; i < series.Count; i++)
        {
            var (colour, dashes) = Style(i);
            double rowY = y + (i * 18);
            // The full name goes in a tooltip: the legend may have shortened it.
            legend.Add(new XElement(Svg.Ns + "g",
                new XElement(Svg.Ns + "title", Svg.Clean(series[i].Name)),
                Svg.Element("line", ("x1", x), ("y1", rowY), ("x2", x + 18), ("y2", rowY), ("stroke", colour), ("stroke-width", 2), ("stroke-dasharray", dashes)),
                Svg.Element("circle", ("cx", x + 9), ("cy", rowY), ("r", 2.5), ("fill", colour)),
                Svg.Text(x + LegendSwatch, rowY + 4, Svg.Fit(series[i].Name, textWidth), anchor: "start")));
        }

        return legend;
    }

    // Past the palette, colours repeat with a dash pattern per round, so every series stays distinguishable.
    private static (string Colour, string Dashes) Style(int index) =>
        (Svg.Palette[index % Svg.Palette.Length], (index / Svg.Palette.Length) switch { 0 => "none", 1 => "6 3", _ => "2 3" });

    private static XElement Line(double x1, double y1, double x2, double y2, string colour) =>
        Svg.Element("line", ("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2), ("stroke", colour), ("stroke-width", 1));

    private static bool IsFinite(CurvePoint p) => double.IsFinite(p.X) && double.IsFinite(p.Y);
}
