using System.Globalization;

namespace TrainingWorkers.Core.Metrics;

/// <summary>
/// Accuracy, confusion matrix and per-class precision, recall and F1 of a classifier over a labelled set,
/// plus ROC and precision-recall curves for two classes.
/// A ratio with a zero denominator is 0 (scikit-learn's <c>zero_division=0</c>).
/// </summary>
public sealed class ClassificationReport
{
    private readonly long[,] _confusionMatrix;

    private ClassificationReport(long[,] confusionMatrix, IReadOnlyList<string> classNames, BinaryCurves? binary)
    {
        _confusionMatrix = confusionMatrix;
        ClassNames = classNames;
        Binary = binary;
        Classes = classNames.Count;
        var perClass = new ClassMetrics[Classes];
        long correct = 0;
        double precisionSum = 0, recallSum = 0, f1Sum = 0;
        for (int c = 0; c < Classes; c++)
        {
            long truePositives = confusionMatrix[c, c], support = 0, predicted = 0;
            for (int k = 0; k < Classes; k++)
            {
                support += confusionMatrix[c, k];
                predicted += confusionMatrix[k, c];
            }

            perClass[c] = new ClassMetrics(
                classNames[c],
                Ratio(truePositives, predicted),
                Ratio(truePositives, support),
                Ratio(2 * truePositives, predicted + support),
                support);
            correct += truePositives;
            Count += support;
            precisionSum += perClass[c].Precision;
            recallSum += perClass[c].Recall;
            f1Sum += perClass[c].F1;
        }

        PerClass = Array.AsReadOnly(perClass);
        Accuracy = Ratio(correct, Count);
        MacroPrecision = precisionSum / Classes;
        MacroRecall = recallSum / Classes;
        MacroF1 = f1Sum / Classes;
    }

    /// <summary>How many classes the model distinguishes.</summary>
    public int Classes { get; }

    /// <summary>How many samples were scored.</summary>
    public long Count { get; }

    /// <summary>The share of samples whose predicted class is the true class.</summary>
    public double Accuracy { get; }

    /// <summary>Counts indexed <c>[true class, predicted class]</c>. Each get returns a fresh copy.</summary>
    public long[,] ConfusionMatrix => (long[,])_confusionMatrix.Clone();

    /// <summary>Precision, recall, F1 and support of each class, in class order.</summary>
    public IReadOnlyList<ClassMetrics> PerClass { get; }

    /// <summary>The unweighted mean of the per-class precisions over all <see cref="Classes"/>, including classes absent from the data.</summary>
    public double MacroPrecision { get; }

    /// <summary>The unweighted mean of the per-class recalls over all <see cref="Classes"/>.</summary>
    public double MacroRecall { get; }

    /// <summary>The unweighted mean of the per-class F1 scores over all <see cref="Classes"/>.</summary>
    public double MacroF1 { get; }

    /// <summary>ROC and precision-recall curves from class 1's probability; null unless <see cref="Classes"/> is 2.</summary>
    public BinaryCurves? Binary { get; }

    /// <summary>The display name of each class, in class order.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Scores a classifier's outputs against the true labels in one pass.</summary>
    /// <param name="labels">n true class ids in [0, <paramref name="classes"/>).</param>
    /// <param name="probabilities">
    /// n × <paramref name="classes"/> values, row-major (softmax outputs). The predicted class is the argmax of a row;
    /// ties go to the lowest index. NaN is rejected: a model that outputs NaN has no meaningful report.
    /// </param>
    /// <param name="classes">The number of classes, at least 2.</param>
    /// <param name="classNames">One name per class; defaults to "0", "1", ….</param>
    /// <exception cref="ArgumentException">
    /// Lengths do not match, the input is empty, a label is out of range, or a probability is NaN; the exception names the argument.
    /// </exception>
    public static ClassificationReport Compute(ReadOnlySpan<int> labels, ReadOnlySpan<float> probabilities, int classes, IReadOnlyList<string>? classNames = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if ((long)labels.Length * classes != probabilities.Length)
        {
            throw new ArgumentException(
                $"Expected {labels.Length} labels × {classes} classes = {(long)labels.Length * classes} probabilities, got {probabilities.Length}.",
                nameof(probabilities));
        }

        if (labels.Length == 0)
        {
            throw new ArgumentException("At least one sample is needed.", nameof(labels));
        }

        var names = ValidateNames(classNames, classes);
        var counts = CountPredictions(labels, probabilities, classes);
        BinaryCurves? binary = null;
        if (classes == 2)
        {
            var positiveScores = new float[labels.Length];
            for (int i = 0; i < positiveScores.Length; i++) positiveScores[i] = probabilities[(2 * i) + 1];
            binary = BinaryCurves.Compute(labels, positiveScores);
        }

        return new ClassificationReport(counts, names, binary);
    }

    private static long[,] CountPredictions(ReadOnlySpan<int> labels, ReadOnlySpan<float> probabilities, int classes)
    {
        var counts = new long[classes, classes];
        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentException($"labels[{i}] is {label}, outside [0, {classes}).", nameof(labels));
            }

            var row = probabilities.Slice(i * classes, classes);
            int predicted = 0;
            float best = row[0];
            bool hasNaN = float.IsNaN(best);
            for (int c = 1; c < classes; c++)
            {
                float p = row[c];
                hasNaN |= float.IsNaN(p);
                if (p > best)
                {
                    best = p;
                    predicted = c;
                }
            }

            if (hasNaN)
            {
                throw new ArgumentException($"probabilities row {i} contains NaN.", nameof(probabilities));
            }

            counts[label, predicted]++;
        }

        return counts;
    }

    private static IReadOnlyList<string> ValidateNames(IReadOnlyList<string>? classNames, int classes)
    {
        if (classNames is null)
        {
            var defaults = new string[classes];
            for (int c = 0; c < classes; c++) defaults[c] = c.ToString(CultureInfo.InvariantCulture);
            return Array.AsReadOnly(defaults);
        }

        if (classNames.Count != classes)
        {
            throw new ArgumentException($"Expected {classes} class names, got {classNames.Count}.", nameof(classNames));
        }

        var copy = new string[classes];
        for (int c = 0; c < classes; c++)
        {
            copy[c] = classNames[c] ?? throw new ArgumentException($"classNames[{c}] is null.", nameof(classNames));
        }

        return Array.AsReadOnly(copy);
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
