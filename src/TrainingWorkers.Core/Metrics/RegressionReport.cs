namespace TrainingWorkers.Core.Metrics;

/// <summary>
/// Error measures of a regression model over a set. Multi-output models are scored over all their values
/// flattened into one list: <see cref="R2"/> is then <c>r2_score(y.ravel(), p.ravel())</c>, not the mean of per-output R².
/// </summary>
public sealed class RegressionReport
{
    private RegressionReport(long count, double rmse, double mae, double r2)
    {
        Count = count;
        Rmse = rmse;
        Mae = mae;
        R2 = r2;
    }

    /// <summary>How many values were scored (samples × outputs).</summary>
    public long Count { get; }

    /// <summary>Root mean squared error, <c>sqrt(Σ (t - p)² / n)</c>.</summary>
    public double Rmse { get; }

    /// <summary>Mean absolute error, <c>Σ |t - p| / n</c>.</summary>
    public double Mae { get; }

    /// <summary>
    /// Coefficient of determination, <c>1 - Σ (t - p)² / Σ (t - mean t)²</c>; negative when worse than predicting the mean.
    /// When every target is equal (a zero denominator) it is 1 for a perfect fit and 0 otherwise, as scikit-learn's
    /// <c>r2_score</c> with <c>force_finite=True</c>.
    /// </summary>
    public double R2 { get; }

    /// <summary>Scores predictions against targets, value by value.</summary>
    /// <param name="targets">n × outputs true values.</param>
    /// <param name="predictions">n × outputs predicted values, in the same order.</param>
    /// <exception cref="ArgumentException">The lengths differ, the input is empty, or a value is NaN.</exception>
    public static RegressionReport Compute(ReadOnlySpan<float> targets, ReadOnlySpan<float> predictions)
    {
        if (targets.Length != predictions.Length)
        {
            throw new ArgumentException($"Expected one prediction per target ({targets.Length}), got {predictions.Length}.", nameof(predictions));
        }

        if (targets.Length == 0)
        {
            throw new ArgumentException("At least one value is needed.", nameof(targets));
        }

        double targetSum = 0, squaredErrorSum = 0, absoluteErrorSum = 0;
        for (int i = 0; i < targets.Length; i++)
        {
            if (float.IsNaN(targets[i])) throw new ArgumentException($"targets[{i}] is NaN.", nameof(targets));
            if (float.IsNaN(predictions[i])) throw new ArgumentException($"predictions[{i}] is NaN.", nameof(predictions));
            double error = (double)targets[i] - predictions[i];
            targetSum += targets[i];
            squaredErrorSum += error * error;
            absoluteErrorSum += Math.Abs(error);
        }

        // A second pass around the mean: the one-pass Σt² - n·mean² form loses everything when the spread is small next to the mean.
        double mean = targetSum / targets.Length;
        double totalSquares = 0;
        foreach (float target in targets)
        {
            double deviation = target - mean;
            totalSquares += deviation * deviation;
        }

        double r2 = totalSquares > 0 ? 1 - (squaredErrorSum / totalSquares)
            : squaredErrorSum == 0 ? 1
            : 0;
        return new RegressionReport(targets.Length, Math.Sqrt(squaredErrorSum / targets.Length), absoluteErrorSum / targets.Length, r2);
    }
}
