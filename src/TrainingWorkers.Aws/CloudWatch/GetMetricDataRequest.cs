namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>The GetMetricData request; the times are epoch seconds.</summary>
internal sealed record GetMetricDataRequest(IReadOnlyList<MetricDataQuery> MetricDataQueries, double StartTime, double EndTime);
