namespace TrainingWorkers.Aws.CloudWatch;

// Shapes of the CloudWatch AWS JSON 1.0 protocol; timestamps travel as epoch seconds.

internal sealed record CloudWatchDimension(string Name, string Value);

internal sealed record MetricDatum
{
    public required string MetricName { get; init; }
    public required double Value { get; init; }
    public required string Unit { get; init; }
    public required double Timestamp { get; init; }
    public IReadOnlyList<CloudWatchDimension>? Dimensions { get; init; }
    /// <summary>1 for high resolution, 60 for standard.</summary>
    public int StorageResolution { get; init; } = 60;
}

internal sealed record MetricId(string Namespace, string MetricName, IReadOnlyList<CloudWatchDimension> Dimensions);

internal sealed record MetricStat(MetricId Metric, int Period, string Stat);

internal sealed record MetricDataQuery(string Id, MetricStat MetricStat);

internal sealed record GetMetricDataRequest(IReadOnlyList<MetricDataQuery> MetricDataQueries, double StartTime, double EndTime);

internal sealed record MetricDataResult(string Id, string? Label, List<double>? Timestamps, List<double>? Values, string? StatusCode);

internal sealed record GetMetricDataResponse(List<MetricDataResult>? MetricDataResults);
