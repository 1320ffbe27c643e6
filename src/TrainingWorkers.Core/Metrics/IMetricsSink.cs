namespace TrainingWorkers.Core.Metrics;

/// <summary>
/// Where training metrics go: the console and a JSONL file locally, CloudWatch on a worker.
/// <see cref="Publish"/> never blocks training; a sink buffers and sends in the background.
/// </summary>
public interface IMetricsSink : IAsyncDisposable
{
    /// <summary>Queues points for publishing. Must return at once.</summary>
    void Publish(IReadOnlyList<MetricPoint> points);

    /// <summary>Sends everything queued so far.</summary>
    Task FlushAsync(CancellationToken cancellationToken);
}
