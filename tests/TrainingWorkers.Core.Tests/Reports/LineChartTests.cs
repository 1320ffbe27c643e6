using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Core.Reports;

namespace TrainingWorkers.Core.Tests.Reports;

public class LineChartTests
{
    private static readonly ChartSeries Train = new("train_loss", [new(1, 2.0), new(2, 1.2), new(3, 0.8), new(4, 0.7)]);
    private static readonly ChartSeries Validation = new("val_loss", [new(1, 2.2), new(2, 1.5), new(3, 1.1), new(4, 1.0)]);

    [Fact]
    public void LineChart_TwoSeries_IsSelfContainedSvgWithNamesAndLabels()
    {
        var svg = new ParsedSvg(SvgCharts.LineChart("Learning curve", "epoch", "loss", [Train, Validation]));

        svg.AssertSelfContained();
        Assert.Contains("train_loss", svg.Texts);
        Assert.Contains("val_loss", svg.Texts);
        Assert.Contains("epoch", svg.Texts);
        Assert.Contains("loss", svg.Texts);
        Assert.Equal(2, svg.All("polyline").Count());
        Assert.Equal(2, svg.All("polyline").Select(p => (string?)p.Parent?.Attribute("stroke")).Distinct().Count());
    }

    [Fact]
    public void LineChart_TitleWithMarkup_IsEscaped()
    {
        string raw = SvgCharts.LineChart("loss <train & val>", "x", "y", [Train]);

        Assert.Contains("loss &lt;train &amp; val&gt;", raw, StringComparison.Ordinal);
        Assert.Contains("loss <train & val>", new ParsedSvg(raw).Texts);
    }

    [Fact]
    public void LineChart_NaNAndInfinity_AreSkippedAndBreakTheLine()
    {
        var series = new ChartSeries("val_loss", [new(1, 1.0), new(2, 0.8), new(3, double.NaN), new(4, 0.6), new(5, 0.5), new(double.PositiveInfinity, 0.4)]);

        var svg = new ParsedSvg(SvgCharts.LineChart("t", "x", "y", [series]));

        svg.AssertSelfContained();
        Assert.Equal(2, svg.All("polyline").Count());
        Assert.Equal(4, SeriesMarkers(svg).Count());
    }

    [Fact]
    public void LineChart_OnePoint_DrawsOneMarkerInsidePlot()
    {
        var svg = new ParsedSvg(SvgCharts.LineChart("t", "x", "y", [new ChartSeries("only", [new(1, 0.95)])]));

        svg.AssertSelfContained();
        var marker = Assert.Single(SeriesMarkers(svg));
        Assert.InRange(ParsedSvg.Number(marker, "cx"), 60, 500);
        Assert.InRange(ParsedSvg.Number(marker, "cy"), 60, 330);
    }

    [Fact]
    public void LineChart_ConstantSeries_IsDrawnMidHeightWithItsValueOnAxis()
    {
        var points = Enumerable.Range(0, 10).Select(i => new CurvePoint(i, 0.001)).ToList();

        var svg = new ParsedSvg(SvgCharts.LineChart("t", "step", "lr", [new ChartSeries("lr", points)]));

        svg.AssertSelfContained();
        var heights = SeriesMarkers(svg).Select(m => ParsedSvg.Number(m, "cy")).Distinct().ToList();
        Assert.InRange(Assert.Single(heights), 150, 250);
        Assert.Contains("0.00100", svg.Texts);
    }

    [Fact]
    public void LineChart_NoFinitePoints_StillRendersAxes()
    {
        var svg = new ParsedSvg(SvgCharts.LineChart("t", "x", "y", [new ChartSeries("empty", [new(double.NaN, double.NaN)])]));

        svg.AssertSelfContained();
        Assert.Empty(svg.All("polyline"));
        Assert.Contains("empty", svg.Texts);
    }

    [Fact]
    public void LineChart_ManyPoints_DrawsLineWithoutMarkers()
    {
        var points = Enumerable.Range(0, SvgCharts.MaxMarkedPoints + 1).Select(i => new CurvePoint(i, Math.Sin(i / 10.0))).ToList();

        var svg = new ParsedSvg(SvgCharts.LineChart("t", "x", "y", [new ChartSeries("sin", points)]));

        Assert.Single(svg.All("polyline"));
        Assert.Empty(SeriesMarkers(svg));
    }

    [Fact]
    public void LineChart_LongOrControlCharacterName_KeepsFullNameInTooltipAndStaysValidXml()
    {
        string name = "val_loss\u0001 of a very long experiment name that cannot fit in the legend";

        var svg = new ParsedSvg(SvgCharts.LineChart("t", "x", "y", [new ChartSeries(name, Train.Points)]));

        Assert.Contains(name.Replace('\u0001', '\uFFFD'), svg.All("title").Select(t => t.Value));
        Assert.Contains(svg.Texts, t => t.StartsWith("val_loss", StringComparison.Ordinal) && t.EndsWith('…'));
    }

    [Fact]
    public void LineChart_MoreSeriesThanColours_RepeatsColourWithDashes()
    {
        var series = Enumerable.Range(0, 9).Select(k => new ChartSeries($"s{k}", [new(0, k), new(1, k + 1)])).ToList();

        var lines = new ParsedSvg(SvgCharts.LineChart("t", "x", "y", series)).All("polyline").ToList();

        Assert.Equal(9, lines.Count);
        Assert.Equal((string?)lines[0].Parent?.Attribute("stroke"), (string?)lines[8].Parent?.Attribute("stroke"));
        Assert.Equal("none", (string?)lines[0].Attribute("stroke-dasharray"));
        Assert.NotEqual("none", (string?)lines[8].Attribute("stroke-dasharray"));
        Assert.Equal(8, lines.Take(8).Select(l => (string?)l.Parent?.Attribute("stroke")).Distinct().Count());
    }

    [Fact]
    public void LineChart_TooNarrow_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => SvgCharts.LineChart("t", "x", "y", [Train], width: 100));

        Assert.Equal("width", error.ParamName);
    }

    // The legend draws one marker per series too; those sit in the legend group.
    private static IEnumerable<System.Xml.Linq.XElement> SeriesMarkers(ParsedSvg svg) =>
        svg.All("circle").Where(c => !c.Ancestors().Any(a => (string?)a.Attribute("class") == "legend"));
}
