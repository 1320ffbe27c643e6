namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>One point of PutMetricData; <see cref="Timestamp"/> in epoch seconds, as the protocol writes it.</summary>
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
