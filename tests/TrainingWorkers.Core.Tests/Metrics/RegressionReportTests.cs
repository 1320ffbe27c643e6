using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Core.Tests.Metrics;

public class RegressionReportTests
{
    private const int Precision = 12;

    // errors t - p: -0.5, 0, 1, -1 → Σe² = 2.25, Σ|e| = 2.5; mean t = 2.5, Σ(t - mean)² = 2.25 + 0.25 + 0.25 + 2.25 = 5
    // RMSE = sqrt(2.25 / 4) = 0.75, MAE = 2.5 / 4 = 0.625, R² = 1 - 2.25 / 5 = 0.55
    [Fact]
    public void Compute_SmallExample_MatchesHandComputedValues()
    {
        var report = RegressionReport.Compute([1f, 2f, 3f, 4f], [1.5f, 2f, 2f, 5f]);

        Assert.Equal(4, report.Count);
        Assert.Equal(0.75, report.Rmse, Precision);
        Assert.Equal(0.625, report.Mae, Precision);
        Assert.Equal(0.55, report.R2, Precision);
    }

    [Fact]
    public void Compute_WorseThanMean_GivesNegativeR2()
    {
        // Σe² = 4 + 0 + 4 = 8, Σ(t - 2)² = 2 → R² = 1 - 8/2 = -3
        var report = RegressionReport.Compute([1f, 2f, 3f], [3f, 2f, 1f]);

        Assert.Equal(-3, report.R2, Precision);
    }

    [Fact]
    public void Compute_LargeOffsetSmallSpread_KeepsR2Accurate()
    {
        // Targets 1e6 + {0, 1, 2, 3} with predictions off by 0.5 → Σe² = 1, Σ(t - mean)² = 5, R² = 0.8.
        var report = RegressionReport.Compute([1e6f, 1e6f + 1, 1e6f + 2, 1e6f + 3], [1e6f + 0.5f, 1e6f + 0.5f, 1e6f + 2.5f, 1e6f + 2.5f]);

        Assert.Equal(0.8, report.R2, Precision);
    }

    [Theory]
    [InlineData(2f, 2f, 1.0)]
    [InlineData(1f, 3f, 0.0)]
    public void Compute_ConstantTargets_FollowsForceFiniteConvention(float first, float second, double expected)
    {
        var report = RegressionReport.Compute([2f, 2f], [first, second]);

        Assert.Equal(expected, report.R2);
    }

    [Fact]
    public void Compute_LengthMismatch_ThrowsNamingPredictions()
    {
        var error = Assert.Throws<ArgumentException>(() => RegressionReport.Compute([1f, 2f], [1f]));

        Assert.Equal("predictions", error.ParamName);
    }

    [Fact]
    public void Compute_Empty_ThrowsNamingTargets()
    {
        var error = Assert.Throws<ArgumentException>(() => RegressionReport.Compute([], []));

        Assert.Equal("targets", error.ParamName);
    }

    [Fact]
    public void Compute_NaNPrediction_ThrowsNamingPredictions()
    {
        var error = Assert.Throws<ArgumentException>(() => RegressionReport.Compute([1f, 2f], [1f, float.NaN]));

        Assert.Equal("predictions", error.ParamName);
    }
}
