using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using TrainingWorkers.Core.Checkpoints;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker;

/// <summary>
/// Copies each checkpoint rank 0 writes to the job's local directory up to S3, in order and in the background,
/// records it in the job store once durable, and deletes from S3 what the ranks' retention deleted locally.
/// </summary>
internal sealed class CheckpointMirror : IAsyncDisposable
{
    private readonly string _jobId;
    private readonly ICheckpointStore _local;
    private readonly ICheckpointStore _remote;
    private readonly IJobStore _store;
    private readonly Func<JobLease> _lease;
    private readonly ILogger _logger;
    private readonly Channel<string> _written = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task _loop;

    public CheckpointMirror(string jobId, ICheckpointStore local, ICheckpointStore remote, IJobStore store, Func<JobLease> lease, ILogger logger)
    {
        (_jobId, _local, _remote, _store, _lease, _logger) = (jobId, local, remote, store, lease, logger);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The newest checkpoint that is durable on S3 and recorded.</summary>
    public string? LastUploaded { get; private set; }

    public int Uploaded { get; private set; }

    /// <summary>The first failure; the job's end then counts as a failed attempt.</summary>
    public Exception? Failure { get; private set; }

    /// <summary>Set when recording a checkpoint found the lease taken over.</summary>
    public bool LeaseLost { get; private set; }

    public void Written(string checkpointId) => _written.Writer.TryWrite(checkpointId);

    /// <summary>
    /// Uploads what is still queued and returns when all of it is durable (or has failed). When <paramref name="budget"/>
    /// ends first, the upload in flight is abandoned: the newest checkpoint already durable stays the one to resume from.
    /// </summary>
    public async Task DrainAsync(CancellationToken budget)
    {
        _written.Writer.TryComplete();
        await using (budget.Register(_abandon.Cancel))
        {
            await _loop.ConfigureAwait(false);
        }
    }

    /// <summary>Ends the loop (abandoning what is queued) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        _written.Writer.TryComplete();
        await _abandon.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _abandon.Dispose();
    }

    private async Task LoopAsync()
    {
        var abandon = _abandon.Token;
        await foreach (var id in _written.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            if (Failure is not null || LeaseLost || abandon.IsCancellationRequested) continue;
            // A newer checkpoint is queued behind this one: skip to it (the ranks may have pruned this one already).
            if (_written.Reader.Count > 0) continue;
            try
            {
                var checkpoint = await _local.ReadAsync(id, abandon).ConfigureAwait(false);
                // S3 writes carry no fencing token: a worker that was paused past its lease must not overwrite the
                // checkpoints of the worker that took the job over. (The record below is fenced in DynamoDB.)
                await EnsureLeaseHeldAsync(abandon).ConfigureAwait(false);
                await _remote.WriteAsync(checkpoint, abandon).ConfigureAwait(false);
                await _store.RecordCheckpointAsync(_lease(), id, abandon).ConfigureAwait(false);
                LastUploaded = id;
                Uploaded++;
                Log.CheckpointUploaded(_logger, _jobId, id, _remote.Location);
                await PruneAsync(id, abandon).ConfigureAwait(false);
            }
            catch (LeaseLostException)
            {
                LeaseLost = true;
            }
            catch (OperationCanceledException) when (abandon.IsCancellationRequested)
            {
                Log.CheckpointSkipped(_logger, id, "the shutdown budget ended before its upload did");
            }
            catch (Exception e) when (e is CorruptCheckpointException or IOException)
            {
                // Pruned by the ranks before it was read: a newer one follows.
                Log.CheckpointSkipped(_logger, id, e.Message);
            }
            catch (Exception e)
            {
                Failure = e;
                Log.CheckpointUploadFailed(_logger, id, e.Message);
            }
        }

        if (Failure is null && !LeaseLost && !abandon.IsCancellationRequested) await UploadKeptAsync(abandon).ConfigureAwait(false);
    }

    // The loop skips a checkpoint when a newer one is already queued (epochs faster than uploads). Of those, the ranks'
    // retention kept the best one: it goes up now, so that S3 keeps what the run kept and a fine-tune pipeline's next
    // stage can start from the best checkpoint, not only the newest. The newest stays the recorded one.
    private async Task UploadKeptAsync(CancellationToken abandon)
    {
        try
        {
            var remote = (await _remote.ListAsync(abandon).ConfigureAwait(false)).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var manifest in await _local.ListAsync(abandon).ConfigureAwait(false))
            {
                if (remote.Contains(manifest.Id)) continue;
                var checkpoint = await _local.ReadAsync(manifest.Id, abandon).ConfigureAwait(false);
                await EnsureLeaseHeldAsync(abandon).ConfigureAwait(false);
                await _remote.WriteAsync(checkpoint, abandon).ConfigureAwait(false);
                Uploaded++;
                Log.CheckpointUploaded(_logger, _jobId, manifest.Id, _remote.Location);
            }
        }
        catch (LeaseLostException)
        {
            LeaseLost = true;
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            Log.CheckpointSkipped(_logger, "(kept)", "the shutdown budget ended before its upload did");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The newest checkpoint is durable and recorded: the job stands; only an older kept one is missing on S3.
            Log.CheckpointUploadFailed(_logger, "(kept)", e.Message);
        }
    }

    private async Task EnsureLeaseHeldAsync(CancellationToken cancellationToken)
    {
        var lease = _lease();
        var job = await _store.GetAsync(lease.JobId, cancellationToken).ConfigureAwait(false);
        if (job is null || job.FencingToken != lease.FencingToken || job.LeaseOwner != lease.WorkerId || job.Status != JobStatus.Running)
        {
            throw new LeaseLostException(lease.JobId, lease.FencingToken, "another worker claimed the job or it was finished");
        }
    }

    // The ranks' retention (keep_last, the best, the one resumed from) decided locally; S3 follows it.
    private async Task PruneAsync(string justWritten, CancellationToken cancellationToken)
    {
        var local = (await _local.ListAsync(cancellationToken).ConfigureAwait(false)).Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var manifest in await _remote.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            if (local.Contains(manifest.Id) || manifest.Id == justWritten) continue;
            await _remote.DeleteAsync(manifest.Id, cancellationToken).ConfigureAwait(false);
        }
    }
}
