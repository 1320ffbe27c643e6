namespace TrainingWorkers.Core.Metrics;

/// <summary>The unit of a metric, as CloudWatch names units.</summary>
public enum MetricUnit
{
    None,
    Percent,
    Seconds,
    Milliseconds,
    Count,
    CountPerSecond,
    Bytes,
}

/// <summary>One measured value of a job, e.g. <c>val_loss</c> after epoch 3.</summary>
/// <param name="Name">The metric's name in the user's words: <c>train_loss</c>, <c>val_accuracy</c>, <c>samples_per_second</c>.</param>
/// <param name="Epoch">The epoch it belongs to (1-based), or null for per-step values.</param>
/// <param name="Step">The global step it was taken at.</param>
public sealed record MetricPoint(string Name, double Value, MetricUnit Unit, DateTimeOffset Timestamp, int? Epoch, long Step);
