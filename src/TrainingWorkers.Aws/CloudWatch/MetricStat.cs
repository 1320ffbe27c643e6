namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>A statistic of a metric over periods of <see cref="Period"/> seconds.</summary>
internal sealed record MetricStat(MetricId Metric, int Period, string Stat);
