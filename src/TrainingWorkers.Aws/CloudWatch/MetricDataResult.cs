namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>One query's answer: timestamps (epoch seconds) and values.</summary>
internal sealed record MetricDataResult(string Id, string? Label, List<double>? Timestamps, List<double>? Values, string? StatusCode);
