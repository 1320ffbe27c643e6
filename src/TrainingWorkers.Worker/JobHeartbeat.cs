using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker;

/// <summary>
/// While a job trains: renews its lease and its message's visibility every <see cref="WorkerOptions.HeartbeatInterval"/>,
/// replaces the message before SQS's 12-hour cap, and watches for cancel requests. A lease taken over, a cancel
/// request or an AWS error no retry can fix stops the job with that cause. Disposing ends the loop and waits for it.
/// </summary>
internal sealed class JobHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _ended = new();
    private readonly MessageHolder _holder;
    private readonly JobStop _stop;
    private readonly IJobQueue _queue;
    private readonly IJobStore _store;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private JobLease _lease;

    public JobHeartbeat(MessageHolder holder, JobLease lease, JobStop stop, IJobQueue queue, IJobStore store, WorkerOptions options, TimeProvider time, ILogger logger)
    {
        (_holder, _lease, _stop, _queue, _store, _options, _time, _logger) = (holder, lease, stop, queue, store, options, time, logger);
        _loop = LoopAsync(_ended.Token);
    }

    /// <summary>The newest lease: every write of the job carries it.</summary>
    public JobLease Lease => Volatile.Read(ref _lease);

    public async ValueTask DisposeAsync()
    {
        await _ended.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _ended.Dispose();
    }

    private async Task LoopAsync(CancellationToken ended)
    {
        using var timer = new PeriodicTimer(_options.HeartbeatInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ended).ConfigureAwait(false))
            {
                if (!await BeatAsync(ended).ConfigureAwait(false)) return;
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The job ended.
        }
    }

    /// <returns>Whether to go on beating.</returns>
    private async Task<bool> BeatAsync(CancellationToken ended)
    {
        var current = Lease;
        try
        {
            Volatile.Write(ref _lease, await _store.HeartbeatAsync(current, _options.LeaseDuration, ended).ConfigureAwait(false));
            await KeepMessageAsync(current.JobId, ended).ConfigureAwait(false);
            if (await _store.GetAsync(current.JobId, ended).ConfigureAwait(false) is { CancelRequested: true })
            {
                Log.CancelRequested(_logger, current.JobId);
                _stop.Stop(StopCause.CancelRequested);
            }

            return true;
        }
        catch (LeaseLostException)
        {
            _stop.Stop(StopCause.LeaseLost);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException && JobFailure.From(e).Kind == FailureKind.Fatal)
        {
            _stop.StopFatally(e);
            return false;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A missed heartbeat is survivable until the lease runs out; then another worker may own the job.
            Log.HeartbeatFailed(_logger, current.JobId, e.Message);
            if (_time.GetUtcNow() < current.ExpiresAt) return true;
            _stop.Stop(StopCause.LeaseLost);
            return false;
        }
    }

    // Extends the message's visibility, or before SQS's 12-hour cap puts a fresh copy in its place: the job goes on under its lease.
    private async Task KeepMessageAsync(string jobId, CancellationToken ended)
    {
        if (!_holder.Held) return;
        if (_time.GetUtcNow() - _holder.ReceivedAt >= _options.MessageRenewAfter && _holder.Message.Job is { } job)
        {
            await _queue.SubmitAsync(job, ended).ConfigureAwait(false);
            await _queue.CompleteAsync(_holder.Message, ended).ConfigureAwait(false);
            _holder.Held = false;
            Log.MessageRenewed(_logger, jobId, _holder.Message.ReceiveCount);
            return;
        }

        await _queue.ExtendAsync(_holder.Message, _options.LeaseDuration, ended).ConfigureAwait(false);
    }
}
