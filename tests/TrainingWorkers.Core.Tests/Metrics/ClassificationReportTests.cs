using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Core.Tests.Metrics;

public class ClassificationReportTests
{
    private const int Precision = 12;

    // Confusion matrix [true, predicted], worked by hand:
    //            pred 0  pred 1  pred 2 | support
    //   true 0      3       1       1   |   5
    //   true 1      1       2       0   |   3
    //   true 2      0       1       1   |   2
    //   predicted   4       4       2     n = 10, correct = 6
    // precision: 3/4, 2/4, 1/2       recall: 3/5, 2/3, 1/2
    // F1 = 2TP/(predicted + support): 6/9, 4/7, 2/4
    // macro P = 1.75/3, macro R = (0.6 + 2/3 + 0.5)/3 = 53/90, macro F1 = (2/3 + 4/7 + 1/2)/3 = 73/126
    private static readonly int[] Labels = [0, 0, 0, 0, 0, 1, 1, 1, 2, 2];
    private static readonly int[] Predicted = [0, 0, 0, 1, 2, 1, 1, 0, 2, 1];

    [Fact]
    public void Compute_ThreeClasses_MatchesHandComputedMatrix()
    {
        var report = ClassificationReport.Compute(Labels, Probabilities.OneHotish(Predicted, 3), 3);

        Assert.Equal(new long[,] { { 3, 1, 1 }, { 1, 2, 0 }, { 0, 1, 1 } }, report.ConfusionMatrix);
        Assert.Equal(10, report.Count);
        Assert.Equal(3, report.Classes);
        Assert.Equal(0.6, report.Accuracy, Precision);
        Assert.Null(report.Binary);
    }

    [Fact]
    public void Compute_ThreeClasses_MatchesHandComputedPerClassAndMacro()
    {
        var report = ClassificationReport.Compute(Labels, Probabilities.OneHotish(Predicted, 3), 3, ["cat", "dog", "bird"]);

        Assert.Equal(["cat", "dog", "bird"], report.PerClass.Select(m => m.Name));
        Assert.Equal([5L, 3L, 2L], report.PerClass.Select(m => m.Support));
        AssertClose([0.75, 0.5, 0.5], report.PerClass.Select(m => m.Precision));
        AssertClose([0.6, 2.0 / 3, 0.5], report.PerClass.Select(m => m.Recall));
        AssertClose([2.0 / 3, 4.0 / 7, 0.5], report.PerClass.Select(m => m.F1));
        Assert.Equal(1.75 / 3, report.MacroPrecision, Precision);
        Assert.Equal(53.0 / 90, report.MacroRecall, Precision);
        Assert.Equal(73.0 / 126, report.MacroF1, Precision);
    }

    [Fact]
    public void Compute_ClassNeverPredictedOrAbsent_CountsZeroAndStaysInMacro()
    {
        // Class 2 occurs once but is never predicted; class 3 neither occurs nor is predicted.
        // Class 1: P = 1/2, R = 1, F1 = 2/3. Macro over all 4 classes: P = 1.5/4, R = 2/4, F1 = (1 + 2/3)/4 = 5/12.
        var report = ClassificationReport.Compute([0, 0, 1, 2], Probabilities.OneHotish([0, 0, 1, 1], 4), 4);

        AssertClose([1, 0.5, 0, 0], report.PerClass.Select(m => m.Precision));
        AssertClose([1, 1, 0, 0], report.PerClass.Select(m => m.Recall));
        AssertClose([1, 2.0 / 3, 0, 0], report.PerClass.Select(m => m.F1));
        Assert.Equal(0, report.PerClass[3].Support);
        Assert.Equal(0.375, report.MacroPrecision, Precision);
        Assert.Equal(0.5, report.MacroRecall, Precision);
        Assert.Equal(5.0 / 12, report.MacroF1, Precision);
    }

    [Fact]
    public void Compute_TiedProbabilities_PredictsLowestIndex()
    {
        float[] probabilities = [0.4f, 0.4f, 0.2f, 0.2f, 0.4f, 0.4f, 0.3f, 0.3f, 0.3f];

        var report = ClassificationReport.Compute([0, 1, 2], probabilities, 3);

        Assert.Equal(new long[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 1, 0, 0 } }, report.ConfusionMatrix);
    }

    [Fact]
    public void Compute_DefaultNames_AreClassIds()
    {
        var report = ClassificationReport.Compute([0, 1, 2], Probabilities.OneHotish([0, 1, 2], 3), 3);

        Assert.Equal(["0", "1", "2"], report.ClassNames);
    }

    [Fact]
    public void ConfusionMatrix_MutatedByCaller_LeavesReportUnchanged()
    {
        var report = ClassificationReport.Compute([0, 1], Probabilities.OneHotish([0, 1], 2), 2);

        report.ConfusionMatrix[0, 0] = 99;

        Assert.Equal(1, report.ConfusionMatrix[0, 0]);
    }

    [Fact]
    public void Compute_SixtyThousandSamplesTenClasses_CountsEverySample()
    {
        const int n = 60_000, classes = 10;
        var random = new Random(7);
        var labels = new int[n];
        var probabilities = new float[n * classes];
        long expectedCorrect = 0;
        for (int i = 0; i < n; i++)
        {
            labels[i] = random.Next(classes);
            int predicted = random.NextDouble() < 0.9 ? labels[i] : random.Next(classes);
            expectedCorrect += predicted == labels[i] ? 1 : 0;
            for (int c = 0; c < classes; c++) probabilities[(i * classes) + c] = c == predicted ? 0.55f : 0.05f;
        }

        var report = ClassificationReport.Compute(labels, probabilities, classes);

        Assert.Equal(n, report.Count);
        Assert.Equal((double)expectedCorrect / n, report.Accuracy, Precision);
        Assert.Equal(n, report.PerClass.Sum(m => m.Support));
    }

    private static void AssertClose(double[] expected, IEnumerable<double> actual)
    {
        var values = actual.ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], Precision);
    }
}
