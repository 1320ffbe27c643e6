using TrainingWorkers.Core.Reports;

namespace TrainingWorkers.Core.Tests.Reports;

public class ConfusionMatrixChartTests
{
    private static readonly long[,] Matrix = { { 3, 1, 1 }, { 1, 2, 0 }, { 0, 0, 0 } };

    [Fact]
    public void ConfusionMatrix_ThreeClasses_HasOneCellPerEntryShowingItsCount()
    {
        var svg = new ParsedSvg(SvgCharts.ConfusionMatrix("Confusion", Matrix, ["cat", "dog", "bird"]));

        svg.AssertSelfContained();
        Assert.Equal(9, svg.WithClass("rect", "cell").Count());
        Assert.Equal(["3", "1", "1", "1", "2", "0", "0", "0", "0"], svg.WithClass("text", "count").Select(t => t.Value));
    }

    [Fact]
    public void ConfusionMatrix_ClassNamesAndAxisTitles_AppearOnBothAxes()
    {
        var texts = new ParsedSvg(SvgCharts.ConfusionMatrix("Confusion", Matrix, ["cat", "dog", "bird"])).Texts.ToList();

        Assert.Equal(2, texts.Count(t => t == "dog"));
        Assert.Contains("true", texts);
        Assert.Contains("predicted", texts);
    }

    [Fact]
    public void ConfusionMatrix_Shading_FollowsRowShareAndEmptyRowIsBlank()
    {
        var svg = new ParsedSvg(SvgCharts.ConfusionMatrix("c", new long[,] { { 10, 0 }, { 0, 0 } }, ["a", "b"]));

        var fills = svg.WithClass("rect", "cell").Select(r => (string?)r.Attribute("fill")).ToList();
        Assert.Equal(["#08306b", "#f7fbff", "#f7fbff", "#f7fbff"], fills);
        Assert.Equal("#ffffff", (string?)svg.WithClass("text", "count").First().Attribute("fill"));
    }

    [Fact]
    public void ConfusionMatrix_MarkupInNames_IsEscaped()
    {
        string raw = SvgCharts.ConfusionMatrix("<m & n>", new long[,] { { 1, 0 }, { 0, 1 } }, ["<a>", "b&c"]);

        Assert.Contains("&lt;a&gt;", raw, StringComparison.Ordinal);
        Assert.Contains("b&amp;c", new ParsedSvg(raw).Source, StringComparison.Ordinal);
        Assert.Contains("<m & n>", new ParsedSvg(raw).Texts);
    }

    [Fact]
    public void ConfusionMatrix_LongCountInSmallCell_ShrinksItsFont()
    {
        var svg = new ParsedSvg(SvgCharts.ConfusionMatrix("c", new long[,] { { 123_456_789, 0 }, { 0, 1 } }, ["a", "b"], cellSize: 32));

        var count = svg.WithClass("text", "count").First();
        Assert.True(ParsedSvg.Number(count, "font-size") < 12);
    }

    [Fact]
    public void ConfusionMatrix_NotSquare_ThrowsNamingMatrix()
    {
        var error = Assert.Throws<ArgumentException>(() => SvgCharts.ConfusionMatrix("c", new long[2, 3], ["a", "b"]));

        Assert.Equal("matrix", error.ParamName);
    }

    [Fact]
    public void ConfusionMatrix_NegativeCount_ThrowsNamingMatrix()
    {
        var error = Assert.Throws<ArgumentException>(() => SvgCharts.ConfusionMatrix("c", new long[,] { { 1, -1 }, { 0, 1 } }, ["a", "b"]));

        Assert.Equal("matrix", error.ParamName);
    }

    [Fact]
    public void ConfusionMatrix_WrongNameCount_ThrowsNamingClassNames()
    {
        var error = Assert.Throws<ArgumentException>(() => SvgCharts.ConfusionMatrix("c", new long[2, 2], ["a"]));

        Assert.Equal("classNames", error.ParamName);
    }
}
