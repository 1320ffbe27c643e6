using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>
/// While a gang trains, on every node: every <see cref="WorkerOptions.GangWatchInterval"/> reads the job's record and
/// the nodes' leases and stops this node's ranks when <see cref="GangHealth"/> finds the gang broken, so a lost node
/// stops the whole group within about a lease (the collective timeout bounds it too, and a killed peer's ranks fail
/// the collectives at once). On nodes other than 0 it also renews the node's own lease. Disposing ends the loop.
/// </summary>
internal sealed class GangWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _ended = new();
    private readonly string _jobId;
    private readonly Gang _gang;
    private readonly int _node;
    private readonly JobStop _stop;
    private readonly IJobStore _store;
    private readonly IGangStore _gangs;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly DateTimeOffset _joinDeadline;
    private readonly Task _loop;
    private GangNode? _lease;
    private DateTimeOffset _renewed;

    /// <param name="lease">This node's lease, on nodes other than 0 (node 0's is the job's, kept by its heartbeat).</param>
    public GangWatch(string jobId, Gang gang, int node, GangNode? lease, JobStop stop, IJobStore store, IGangStore gangs, WorkerOptions options, TimeProvider time,
        ILogger logger)
    {
        (_jobId, _gang, _node, _lease, _stop, _store, _gangs, _options, _time, _logger) = (jobId, gang, node, lease, stop, store, gangs, options, time, logger);
        _renewed = time.GetUtcNow();
        _joinDeadline = gang.FormedAt + options.JoinTimeout;
        _loop = LoopAsync(_ended.Token);
    }

    /// <summary>This node's lease as last renewed (null on node 0).</summary>
    public GangNode? Lease => Volatile.Read(ref _lease);

    /// <summary>One more look after the ranks ended on their own: a node's hand-off request or failure may be why they did.</summary>
    public async Task CheckOnceAsync(CancellationToken cancellationToken)
    {
        if (_stop.Cause != StopCause.None) return;
        var trouble = await CheckAsync(cancellationToken).ConfigureAwait(false);
        if (trouble is not null) Stop(trouble);
    }

    public async ValueTask DisposeAsync()
    {
        await _ended.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _ended.Dispose();
    }

    private async Task LoopAsync(CancellationToken ended)
    {
        using var timer = new PeriodicTimer(_options.GangWatchInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ended).ConfigureAwait(false))
            {
                try
                {
                    await RenewAsync(ended).ConfigureAwait(false);
                    if (await CheckAsync(ended).ConfigureAwait(false) is { } trouble)
                    {
                        Stop(trouble);
                        return;
                    }
                }
                catch (LeaseLostException)
                {
                    Stop(new GangTrouble(StopCause.GangEnded, $"node {_node}'s lease is held by a newer gang"));
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
                {
                    // A missed look is survivable; the collective timeout still bounds a broken gang.
                    Log.GangWatchFailed(_logger, _jobId, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The attempt ended.
        }
    }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        if (Lease is not { } lease || _time.GetUtcNow() - _renewed < _options.HeartbeatInterval) return;
        Volatile.Write(ref _lease, await _gangs.RenewAsync(lease, _options.LeaseDuration, cancellationToken).ConfigureAwait(false));
        _renewed = _time.GetUtcNow();
    }

    private async Task<GangTrouble?> CheckAsync(CancellationToken cancellationToken)
    {
        var record = await _store.GetAsync(_jobId, cancellationToken).ConfigureAwait(false);
        var nodes = await _gangs.GetNodesAsync(_jobId, cancellationToken).ConfigureAwait(false);
        return GangHealth.Check(_gang, _node, record, nodes, _time.GetUtcNow(), _joinDeadline, _options.JoinTimeout);
    }

    private void Stop(GangTrouble trouble)
    {
        Log.GangStops(_logger, _jobId, trouble.Cause, trouble.Reason);
        _stop.Stop(trouble);
    }
}
