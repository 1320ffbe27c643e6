using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Core.Reports;

/// <summary>One named line of a chart, such as <c>train_loss</c> per epoch.</summary>
/// <param name="Name">Shown in the legend.</param>
/// <param name="Points">The points in drawing order; non-finite points are left out and break the line.</param>
public sealed record ChartSeries(string Name, IReadOnlyList<CurvePoint> Points);
