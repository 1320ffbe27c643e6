using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using TrainingWorkers.Aws;
using TrainingWorkers.Aws.CloudWatch;
using TrainingWorkers.Aws.Instance;
using TrainingWorkers.Core.Metrics;

namespace TrainingWorkers.Worker;

/// <summary>
/// The worker's fleet-level metrics (<see cref="FleetMetricNames"/>), without the job dimension: a heartbeat and
/// the jobs running, once a minute while the poll loop is alive (the fleet stack's "worker stopped heart-beating"
/// alarm compares their sum with the instances in service), and one count per job attempt's end by outcome.
/// </summary>
internal sealed class FleetHeartbeat(CloudWatchMetrics metrics, WorkerState state, WorkerIdentity identity, ImdsClient imds,
    InstanceMonitor instance, TimeProvider time) : BackgroundService, IFleetOutcomes
{
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    // The poll loop beats at least every 20 s (the long poll); older than this, the worker is stuck.
    private static readonly TimeSpan Stale = TimeSpan.FromMinutes(2);
    private readonly IMetricsSink _fleet = metrics.CreateFleetSink(new Dictionary<string, string?>());
    private readonly ConcurrentDictionary<string, IMetricsSink> _byOutcome = new(StringComparer.Ordinal);
    private IMetricsSink? _byType;

    /// <summary>Counts a job's end by outcome: succeeded, failed, cancelled, retrying, handed_off, lease_lost, unreadable, and the
    /// messages of jobs not claimed (duplicate, renewed, held_elsewhere).</summary>
    public void JobEnded(string outcome)
    {
        var sink = _byOutcome.GetOrAdd(outcome, o => metrics.CreateFleetSink(new Dictionary<string, string?> { [FleetMetricNames.Outcome] = o }));
        sink.Publish([new MetricPoint(FleetMetricNames.JobsEnded, 1, MetricUnit.Count, time.GetUtcNow(), null, 0)]);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var market = await MarketAsync(stoppingToken).ConfigureAwait(false);
        _byType = metrics.CreateFleetSink(new Dictionary<string, string?>
        {
            [FleetMetricNames.InstanceType] = identity.InstanceType ?? "local", [FleetMetricNames.Market] = market,
        });
        using var timer = new PeriodicTimer(Period, time);
        do
        {
            var now = time.GetUtcNow();
            if (state.Ready && now - state.LastBeat < Stale)
            {
                var beat = new MetricPoint(FleetMetricNames.WorkerHeartbeat, 1, MetricUnit.Count, now, null, 0);
                _fleet.Publish([beat, new MetricPoint(FleetMetricNames.JobsRunning, state.RunningJobs, MetricUnit.Count, now, null, 0)]);
                _byType.Publish([beat]);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        await _fleet.DisposeAsync().ConfigureAwait(false);
        if (_byType is not null) await _byType.DisposeAsync().ConfigureAwait(false);
        foreach (var sink in _byOutcome.Values) await sink.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<string> MarketAsync(CancellationToken cancellationToken)
    {
        if (!instance.Enabled) return "local";
        try
        {
            return await imds.GetMarketAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (AwsServiceException)
        {
            return "unknown";
        }
    }
}
