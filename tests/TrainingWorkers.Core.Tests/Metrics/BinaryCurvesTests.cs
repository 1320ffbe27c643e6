using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Core.Tests.Metrics;

public class BinaryCurvesTests
{
    private const int Precision = 12;

    // Six samples, all scores distinct, P = 3, N = 3. From the highest score down:
    //   score label  TP FP   FPR  TPR   precision
    //   0.9    1     1  0    0    1/3   1
    //   0.8    0     1  1    1/3  1/3   1/2
    //   0.7    1     2  1    1/3  2/3   2/3
    //   0.6    1     3  1    1/3  1     3/4
    //   0.55   0     3  2    2/3  1     3/5
    //   0.4    0     3  3    1    1     1/2
    // ROC AUC (trapezoids from (0,0)): 1/3·1/3 + 1/3·1 + 1/3·1 = 7/9; pair count agrees: 7 of 9 (pos, neg) pairs ordered right.
    // AP = Σ ΔR·P = 1/3·1 + 1/3·2/3 + 1/3·3/4 = 29/36.
    private static readonly int[] Labels = [1, 0, 1, 1, 0, 0];
    private static readonly float[] Scores = [0.9f, 0.8f, 0.7f, 0.6f, 0.55f, 0.4f];

    [Fact]
    public void Compute_DistinctScores_MatchesHandComputedAreas()
    {
        var curves = BinaryCurves.Compute(Labels, Scores);

        Assert.Equal(7.0 / 9, curves.RocAuc, Precision);
        Assert.Equal(29.0 / 36, curves.PrAuc, Precision);
    }

    [Fact]
    public void Compute_DistinctScores_MatchesHandComputedCurves()
    {
        var curves = BinaryCurves.Compute(Labels, Scores);

        AssertPoints([(0, 0), (0, 1.0 / 3), (1.0 / 3, 1.0 / 3), (1.0 / 3, 2.0 / 3), (1.0 / 3, 1), (2.0 / 3, 1), (1, 1)], curves.Roc);
        AssertPoints([(0, 1), (1.0 / 3, 1), (1.0 / 3, 0.5), (2.0 / 3, 2.0 / 3), (1, 0.75), (1, 0.6), (1, 0.5)], curves.PrecisionRecall);
    }

    // Ties, P = 3, N = 4; each tied group is one threshold step:
    //   score  labels    TP FP   FPR  TPR  precision
    //   0.8    1,0       1  1    1/4  1/3  1/2
    //   0.5    1,0,0     2  3    3/4  2/3  2/5
    //   0.2    1         3  3    3/4  1    1/2
    //   0.1    0         3  4    1    1    3/7
    // ROC AUC = 1/4·(1/3)/2 + 1/2·(1/3 + 2/3)/2 + 0 + 1/4·1 = 13/24; pair count: (3.5 + 2 + 1)/12 = 13/24 (ties count 1/2).
    // AP = 1/3·1/2 + 1/3·2/5 + 1/3·1/2 = 7/15.
    [Fact]
    public void Compute_TiedScores_TreatsEachTieAsOneStep()
    {
        int[] labels = [0, 1, 0, 1, 0, 1, 0];
        float[] scores = [0.5f, 0.8f, 0.8f, 0.5f, 0.1f, 0.2f, 0.5f];

        var curves = BinaryCurves.Compute(labels, scores);

        Assert.Equal(13.0 / 24, curves.RocAuc, Precision);
        Assert.Equal(7.0 / 15, curves.PrAuc, Precision);
        AssertPoints([(0, 0), (0.25, 1.0 / 3), (0.75, 2.0 / 3), (0.75, 1), (1, 1)], curves.Roc);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Compute_OnlyOneClassPresent_GivesNaNAndNoCurves(int onlyLabel)
    {
        var curves = BinaryCurves.Compute([onlyLabel, onlyLabel], [0.2f, 0.7f]);

        Assert.True(double.IsNaN(curves.RocAuc));
        Assert.True(double.IsNaN(curves.PrAuc));
        Assert.Empty(curves.Roc);
        Assert.Empty(curves.PrecisionRecall);
    }

    [Fact]
    public void Compute_RandomScoresWithTies_RocAucEqualsPairCount()
    {
        var random = new Random(11);
        var labels = new int[500];
        var scores = new float[500];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = random.Next(2);
            scores[i] = random.Next(20) / 20f; // few distinct values, so many ties
        }

        double pairs = 0, ordered = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            for (int j = 0; j < labels.Length; j++)
            {
                if (labels[i] != 1 || labels[j] != 0) continue;
                pairs++;
                ordered += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
            }
        }

        Assert.Equal(ordered / pairs, BinaryCurves.Compute(labels, scores).RocAuc, Precision);
    }

    [Fact]
    public void ClassificationReport_TwoClasses_UsesClassOneProbability()
    {
        var report = ClassificationReport.Compute(Labels, Probabilities.Binary(Scores), 2);

        Assert.NotNull(report.Binary);
        Assert.Equal(7.0 / 9, report.Binary.RocAuc, Precision);
        Assert.Equal(29.0 / 36, report.Binary.PrAuc, Precision);
    }

    private static void AssertPoints((double X, double Y)[] expected, IReadOnlyList<CurvePoint> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].X, actual[i].X, Precision);
            Assert.Equal(expected[i].Y, actual[i].Y, Precision);
        }
    }
}
