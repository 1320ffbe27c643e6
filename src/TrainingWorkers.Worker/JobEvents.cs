using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Metrics;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker;

/// <summary>
/// What the job's ranks report, turned into the job's progress in the store (at most every few seconds, and
/// at each epoch), its metrics on CloudWatch, and checkpoint uploads. The launcher calls in on its own loop;
/// the work happens on one pump task so the launcher never waits on the network.
/// </summary>
internal sealed class JobEvents : ILaunchObserver, IAsyncDisposable
{
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromSeconds(3);
    private readonly IJobStore _store;
    private readonly Func<JobLease> _lease;
    private readonly IMetricsSink _metrics;
    private readonly CheckpointMirror _checkpoints;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _jobId;
    private readonly Channel<RankEvent> _events = Channel.CreateUnbounded<RankEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _pump;
    private readonly DateTimeOffset _sentAt;
    private readonly IReadOnlyList<string> _gpus;
    private JobProgress _progress = new();
    private DateTimeOffset _lastWrite = DateTimeOffset.MinValue;
    private bool _firstStep;
    private int _flushed;

    /// <param name="sentAt">When the job's message was sent: the start-up time is measured from it.</param>
    /// <param name="gpus">The job's GPUs, whose memory in use is published with each epoch.</param>
    public JobEvents(string jobId, DateTimeOffset sentAt, IReadOnlyList<string> gpus, IJobStore store, Func<JobLease> lease, IMetricsSink metrics,
        CheckpointMirror checkpoints, TimeProvider time, ILogger logger)
    {
        (_jobId, _sentAt, _gpus, _store, _lease, _metrics, _checkpoints, _time, _logger) = (jobId, sentAt, gpus, store, lease, metrics, checkpoints, time, logger);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>The newest epoch's metrics (the group's, from rank 0).</summary>
    public IReadOnlyDictionary<string, double> LatestMetrics => _progress.Metrics;

    public void RankEvent(RankEvent e) => _events.Writer.TryWrite(e);

    public void RankLog(int rank, string line) => Log.RankLog(_logger, _jobId, rank, line);

    public void GroupStopped(int attempt, RankFailure failure, bool restarting) =>
        Log.RankGroupStopped(_logger, _jobId, attempt, failure.ToString(), restarting);

    /// <summary>Handles what is queued, writes the final progress, and flushes the metrics. Safe to call twice.</summary>
    public async Task CompleteAsync()
    {
        _events.Writer.TryComplete();
        await _pump.ConfigureAwait(false);
        if (Interlocked.Exchange(ref _flushed, 1) == 0) await _metrics.FlushAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await CompleteAsync().ConfigureAwait(false);

    private async Task PumpAsync()
    {
        await foreach (var e in _events.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (e.Rank != 0) continue;
            var now = _time.GetUtcNow();
            var force = false;
            switch (e.Event)
            {
                case RankEventKind.Progress:
                    _progress = _progress with
                    {
                        Epoch = e.Epoch ?? _progress.Epoch, Epochs = e.Epochs ?? _progress.Epochs,
                        Step = e.Step ?? _progress.Step, Steps = e.Steps ?? _progress.Steps,
                    };
                    if (!_firstStep && e.Step >= 1)
                    {
                        // From submit to the first optimizer step: queue wait, claim, fetch, rank start-up, data loading.
                        _firstStep = true;
                        var startup = now - _sentAt;
                        Log.FirstStep(_logger, _jobId, startup.TotalMilliseconds);
                        _metrics.Publish([new MetricPoint("time_to_first_step", startup.TotalSeconds, MetricUnit.Seconds, now, e.Epoch, 1)]);
                    }

                    break;
                case RankEventKind.Epoch when e.Metrics is { } metrics:
                    _progress = _progress with { Epoch = e.Epoch ?? _progress.Epoch, Metrics = metrics };
                    var points = metrics.Select(m => new MetricPoint(m.Key, m.Value, UnitOf(m.Key), now, e.Epoch, _progress.Step)).ToList();
                    if (await GpuMemory.UsedBytesAsync(_gpus, CancellationToken.None).ConfigureAwait(false) is { } used)
                    {
                        points.Add(new MetricPoint("gpu_memory_used", used, MetricUnit.Bytes, now, e.Epoch, _progress.Step));
                    }

                    _metrics.Publish(points);
                    await RecordEpochAsync(e.Epoch ?? _progress.Epoch, metrics).ConfigureAwait(false);
                    force = true;
                    break;
                case RankEventKind.Checkpoint when e.Checkpoint is { } id:
                    _checkpoints.Written(id);
                    break;
            }

            if (force || now - _lastWrite >= ProgressEvery) await WriteProgressAsync(now).ConfigureAwait(false);
        }

        await WriteProgressAsync(_time.GetUtcNow()).ConfigureAwait(false);
    }

    // Every epoch as its own item in the job store, for a tuner that compares trials epoch by epoch (the record keeps only the newest).
    private async Task RecordEpochAsync(int epoch, IReadOnlyDictionary<string, double> metrics)
    {
        if (epoch < 1) return;
        try
        {
            await _store.RecordEpochAsync(_lease(), epoch, metrics, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The heartbeat decides about a lost lease; a tuner falls back on the job's final metrics for a missing epoch.
            Log.EpochNotRecorded(_logger, _jobId, epoch, e.Message);
        }
    }

    private async Task WriteProgressAsync(DateTimeOffset now)
    {
        _lastWrite = now;
        try
        {
            await _store.RecordProgressAsync(_lease(), _progress with { At = now }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Progress is for people watching; the heartbeat decides about a lost lease.
            Log.ProgressNotRecorded(_logger, _jobId, e.Message);
        }
    }

    private static MetricUnit UnitOf(string metric) => metric switch
    {
        "epoch_time" => MetricUnit.Seconds,
        "samples_per_second" => MetricUnit.CountPerSecond,
        _ => MetricUnit.None,
    };
}
