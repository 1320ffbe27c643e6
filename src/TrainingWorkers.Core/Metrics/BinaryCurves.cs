namespace TrainingWorkers.Core.Metrics;

/// <summary>
/// Two-class extras, computed from the positive class's (class 1) score.
/// Thresholds are placed at every distinct score; samples with equal scores form one threshold step,
/// as <c>sklearn.metrics.roc_curve(drop_intermediate=False)</c> does.
/// When only one class occurs among the labels, both AUCs are <see cref="double.NaN"/> and both curves are empty.
/// </summary>
/// <param name="RocAuc">Area under <paramref name="Roc"/> by the trapezoid rule.</param>
/// <param name="PrAuc">
/// Average precision, <c>Σ (R_n - R_{n-1}) · P_n</c> over thresholds from the highest score down,
/// as <c>sklearn.metrics.average_precision_score</c> computes it (no interpolation).
/// </param>
/// <param name="Roc">X = false-positive rate, Y = true-positive rate; starts at (0, 0), ends at (1, 1).</param>
/// <param name="PrecisionRecall">
/// X = recall, Y = precision, from the highest threshold down; starts at (0, 1) by the same convention as scikit-learn.
/// </param>
public sealed record BinaryCurves(double RocAuc, double PrAuc, IReadOnlyList<CurvePoint> Roc, IReadOnlyList<CurvePoint> PrecisionRecall)
{
    /// <summary>Computes the curves from labels in {0, 1} and a score per sample (higher means more likely class 1).</summary>
    /// <param name="labels">n labels, each 0 or 1.</param>
    /// <param name="scores">n scores, such as the probability of class 1; NaN is rejected.</param>
    /// <exception cref="ArgumentException">The lengths differ, the input is empty, a label is not 0 or 1, or a score is NaN.</exception>
    public static BinaryCurves Compute(ReadOnlySpan<int> labels, ReadOnlySpan<float> scores)
    {
        if (labels.Length != scores.Length)
        {
            throw new ArgumentException($"Expected one score per label ({labels.Length}), got {scores.Length}.", nameof(scores));
        }

        if (labels.Length == 0)
        {
            throw new ArgumentException("At least one sample is needed.", nameof(labels));
        }

        int n = labels.Length;
        var descendingKeys = new float[n];
        var isPositive = new bool[n];
        long positives = 0;
        for (int i = 0; i < n; i++)
        {
            if ((uint)labels[i] > 1)
            {
                throw new ArgumentException($"labels[{i}] is {labels[i]}; binary labels must be 0 or 1.", nameof(labels));
            }

            if (float.IsNaN(scores[i]))
            {
                throw new ArgumentException($"scores[{i}] is NaN.", nameof(scores));
            }

            descendingKeys[i] = -scores[i];
            isPositive[i] = labels[i] == 1;
            positives += labels[i];
        }

        long negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return new BinaryCurves(double.NaN, double.NaN, [], []);
        }

        Array.Sort(descendingKeys, isPositive);
        return Walk(descendingKeys, isPositive, positives, negatives);
    }

    private static BinaryCurves Walk(float[] descendingKeys, bool[] isPositive, long positives, long negatives)
    {
        var roc = new List<CurvePoint> { new(0, 0) };
        var precisionRecall = new List<CurvePoint> { new(0, 1) };
        long truePositives = 0, falsePositives = 0;
        double rocAuc = 0, averagePrecision = 0, previousFpr = 0, previousTpr = 0;
        for (int i = 0; i < descendingKeys.Length; i++)
        {
            if (isPositive[i]) truePositives++;
            else falsePositives++;

            // Samples with equal scores cannot be separated by any threshold: emit one point after the last of them.
            if (i + 1 < descendingKeys.Length && descendingKeys[i + 1] == descendingKeys[i]) continue;

            double fpr = (double)falsePositives / negatives;
            double tpr = (double)truePositives / positives;
            double precision = (double)truePositives / (truePositives + falsePositives);
            rocAuc += (fpr - previousFpr) * (tpr + previousTpr) / 2;
            averagePrecision += (tpr - previousTpr) * precision;
            roc.Add(new CurvePoint(fpr, tpr));
            precisionRecall.Add(new CurvePoint(tpr, precision));
            previousFpr = fpr;
            previousTpr = tpr;
        }

        return new BinaryCurves(rocAuc, averagePrecision, roc.AsReadOnly(), precisionRecall.AsReadOnly());
    }
}
