using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Aws.CloudWatch;

/// <summary>Creates the CloudWatch metrics sink of a job (one per rank process), with the job's dimensions.</summary>
public sealed class CloudWatchMetrics
{
    private readonly CloudWatchClient _client;
    private readonly MetricsOptions _options;
    private readonly ILoggerFactory _loggers;

    internal CloudWatchMetrics(CloudWatchClient client, MetricsOptions options, ILoggerFactory loggers)
    {
        _client = client;
        _options = options;
        _loggers = loggers;
    }

    /// <summary>A buffered sink that sends in the background; dispose it to send what is left.</summary>
    public IMetricsSink CreateSink(MetricDimensions dimensions) =>
        new CloudWatchMetricsSink(_client, _options, dimensions, _loggers.CreateLogger<CloudWatchMetricsSink>());

    /// <summary>
    /// A sink for fleet-level metrics (<see cref="FleetMetricNames"/>): no job dimension, so that one alarm covers
    /// every job and the number of metrics stays fixed however many jobs run. Empty values are left out.
    /// </summary>
    public IMetricsSink CreateFleetSink(IReadOnlyDictionary<string, string?> dimensions) =>
        new CloudWatchMetricsSink(_client, _options,
            dimensions.Where(d => !string.IsNullOrEmpty(d.Value)).Select(d => new CloudWatchDimension(d.Key, d.Value!)).ToList(),
            _loggers.CreateLogger<CloudWatchMetricsSink>());
}
