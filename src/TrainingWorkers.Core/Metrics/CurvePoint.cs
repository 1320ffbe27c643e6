namespace TrainingWorkers.Core.Metrics;

/// <summary>A point of a curve: a ROC or precision-recall point, or one value of a learning curve.</summary>
public readonly record struct CurvePoint(double X, double Y);
