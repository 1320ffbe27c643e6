using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Core.Tests.Metrics;

public class ClassificationReportArgumentTests
{
    [Fact]
    public void Compute_ProbabilitiesTooShort_ThrowsNamingProbabilities()
    {
        var error = Assert.Throws<ArgumentException>(() => ClassificationReport.Compute([0, 1], new float[3], 2));

        Assert.Equal("probabilities", error.ParamName);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-1)]
    public void Compute_LabelOutOfRange_ThrowsNamingLabels(int badLabel)
    {
        var error = Assert.Throws<ArgumentException>(() => ClassificationReport.Compute([0, badLabel], new float[6], 3));

        Assert.Equal("labels", error.ParamName);
        Assert.Contains("labels[1]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compute_WrongNumberOfClassNames_ThrowsNamingClassNames()
    {
        var error = Assert.Throws<ArgumentException>(() => ClassificationReport.Compute([0, 1], new float[4], 2, ["only one"]));

        Assert.Equal("classNames", error.ParamName);
    }

    [Fact]
    public void Compute_Empty_ThrowsNamingLabels()
    {
        var error = Assert.Throws<ArgumentException>(() => ClassificationReport.Compute([], [], 2));

        Assert.Equal("labels", error.ParamName);
    }

    [Fact]
    public void Compute_OneClass_ThrowsOutOfRange()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ClassificationReport.Compute([0], [1f], 1));

        Assert.Equal("classes", error.ParamName);
    }

    [Fact]
    public void Compute_NaNProbability_ThrowsNamingProbabilities()
    {
        float[] probabilities = [0.5f, 0.5f, 0.2f, float.NaN];

        var error = Assert.Throws<ArgumentException>(() => ClassificationReport.Compute([0, 1], probabilities, 2));

        Assert.Equal("probabilities", error.ParamName);
        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BinaryCompute_LabelTwo_ThrowsNamingLabels()
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryCurves.Compute([0, 2], [0.1f, 0.9f]));

        Assert.Equal("labels", error.ParamName);
    }

    [Fact]
    public void BinaryCompute_LengthMismatch_ThrowsNamingScores()
    {
        var error = Assert.Throws<ArgumentException>(() => BinaryCurves.Compute([0, 1], [0.1f]));

        Assert.Equal("scores", error.ParamName);
    }
}
