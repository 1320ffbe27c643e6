namespace TrainingWorkers.Core.Metrics;

/// <summary>Per-class numbers of a <see cref="ClassificationReport"/>.</summary>
/// <param name="Name">The class's display name.</param>
/// <param name="Precision">True positives over predicted positives; 0 when the class was never predicted.</param>
/// <param name="Recall">True positives over actual positives; 0 when the class never occurs among the labels.</param>
/// <param name="F1">The harmonic mean of precision and recall, <c>2TP / (2TP + FP + FN)</c>; 0 when that denominator is 0.</param>
/// <param name="Support">How many samples have this class as their true label.</param>
public sealed record ClassMetrics(string Name, double Precision, double Recall, double F1, long Support);
