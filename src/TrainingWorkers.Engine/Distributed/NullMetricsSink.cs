using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Engine.Distributed;

/// <summary>The metrics sink of ranks other than 0: rank 0 publishes the group's metrics.</summary>
public sealed class NullMetricsSink : IMetricsSink
{
    public void Publish(IReadOnlyList<MetricPoint> points) { }

    public Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
