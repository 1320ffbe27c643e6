namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>The GetMetricData response.</summary>
internal sealed record GetMetricDataResponse(List<MetricDataResult>? MetricDataResults);
