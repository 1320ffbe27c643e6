namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>A metric by namespace, name and dimensions, as GetMetricData names it.</summary>
internal sealed record MetricId(string Namespace, string MetricName, IReadOnlyList<CloudWatchDimension> Dimensions);
