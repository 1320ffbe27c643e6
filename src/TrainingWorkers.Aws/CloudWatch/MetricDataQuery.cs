namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>One query of GetMetricData.</summary>
internal sealed record MetricDataQuery(string Id, MetricStat MetricStat);
