using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker;

/// <summary>
/// Carries out a <see cref="Decision"/> in the job store and on the queue, in the one safe order: the job's state is
/// durable before its message is deleted, released or delayed, so a crash in between only repeats a queue call. The
/// writes run on <see cref="WorkerState.FinalWrites"/>, which ends with the shutdown budget.
/// </summary>
internal sealed class JobSettlement(IJobQueue queue, IJobStore store, IOptions<WorkerOptions> options, WorkerState state, TimeProvider time, ILogger<JobSettlement> logger)
{
    private readonly WorkerOptions _options = options.Value;

    /// <summary>The queue's redrive settings, read at start-up.</summary>
    public QueuePolicy Policy { get; set; } = new(TimeSpan.FromSeconds(30), null, null);

    /// <returns>The outcome's name for logs and metrics.</returns>
    public Task<string> ApplyAsync(MessageHolder holder, JobLease lease, Decision decision, int failedBefore, AttemptEnd end) => decision.Verdict switch
    {
        Verdict.Succeed => SettleAsync(holder, lease, JobStatus.Succeeded, new JobOutcome { ModelUri = end.ModelUri, FinalMetrics = end.Metrics }),
        Verdict.Cancel => SettleAsync(holder, lease, JobStatus.Cancelled, new JobOutcome { Error = decision.Error, FinalMetrics = end.Metrics }),
        Verdict.Fail => SettleAsync(holder, lease, JobStatus.Failed, new JobOutcome { Error = decision.Error, FinalMetrics = end.Metrics }),
        Verdict.HandOff => HandOffAsync(holder, lease, decision.Error),
        Verdict.Retry => FailAttemptAsync(holder, lease, decision.Error!, failedBefore),
        Verdict.LeaseLost => Task.FromResult(LeaseLost(lease.JobId)),
        Verdict.Fatal => throw decision.FatalError!,
        _ => throw new ArgumentOutOfRangeException(nameof(decision), decision.Verdict, null),
    };

    /// <summary>A terminal status with its outcome; then the message goes.</summary>
    public async Task<string> SettleAsync(MessageHolder holder, JobLease lease, JobStatus status, JobOutcome outcome)
    {
        await store.FinishAsync(lease, status, outcome, state.FinalWrites).ConfigureAwait(false);
        if (holder.Held) await queue.CompleteAsync(holder.Message, state.FinalWrites).ConfigureAwait(false);
        return status.ToString().ToLowerInvariant();
    }

    /// <summary>Gives the message back at once, untouched: the worker stops before it could work on it.</summary>
    public async Task GiveBackAsync(MessageHolder holder)
    {
        if (!holder.Held) return;
        await queue.ReleaseAsync(holder.Message, state.FinalWrites).ConfigureAwait(false);
        holder.Held = false;
    }

    /// <summary>
    /// Gives the message back at once for another worker (this one's slot went to a gang first). This worker may receive
    /// it again before its registration shows the slot taken: near the redrive policy's count a fresh copy takes its place.
    /// </summary>
    public async Task PassOnAsync(MessageHolder holder)
    {
        if (!holder.Held) return;
        if (!await RenewBeforeRedriveAsync(holder.Message).ConfigureAwait(false)) await queue.ReleaseAsync(holder.Message, CancellationToken.None).ConfigureAwait(false);
        holder.Held = false;
    }

    /// <summary>A message for a job this worker could not claim: a duplicate of a finished job, or one another worker holds.</summary>
    public async Task<string> LeaveAsync(ReceivedJob message, string jobId)
    {
        var record = await store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false);
        if (record is null || record.Status.IsTerminal())
        {
            Log.DuplicateDeleted(logger, jobId, record?.Status.ToString() ?? "missing");
            await queue.CompleteAsync(message, CancellationToken.None).ConfigureAwait(false);
            return "duplicate";
        }

        // Every look at a running job's message counts as a receive: before the redrive policy takes it for poison, a fresh copy takes its place.
        if (await RenewBeforeRedriveAsync(message).ConfigureAwait(false)) return "renewed";

        // Look again when the holder's lease would run out: if it stopped heart-beating, the job is taken over then.
        var now = time.GetUtcNow();
        var wait = record.LeaseExpiresAt is { } expires && expires > now ? expires - now + TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(5);
        wait = wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait > TimeSpan.FromHours(11) ? TimeSpan.FromHours(11) : wait;
        Log.HeldElsewhere(logger, jobId, record.LeaseOwner ?? "?", wait.TotalSeconds);
        await queue.ExtendAsync(message, wait, CancellationToken.None).ConfigureAwait(false);
        return "held_elsewhere";
    }

    /// <summary>
    /// Gives the message back to come again after <paramref name="wait"/> (a gang that waits for idle workers); near the
    /// redrive policy's count a fresh copy takes its place, so a job that waits long is never taken for poison.
    /// </summary>
    /// <returns>Whether the message was replaced rather than delayed.</returns>
    public async Task<bool> DelayAsync(ReceivedJob message, TimeSpan wait)
    {
        if (await RenewBeforeRedriveAsync(message).ConfigureAwait(false)) return true;
        await queue.ExtendAsync(message, wait, CancellationToken.None).ConfigureAwait(false);
        return false;
    }

    private async Task<bool> RenewBeforeRedriveAsync(ReceivedJob message)
    {
        if (Policy.MaxReceiveCount is not { } max || message.ReceiveCount < max - 1 || message.Job is not { } job) return false;
        await queue.SubmitAsync(job, CancellationToken.None).ConfigureAwait(false);
        await queue.CompleteAsync(message, CancellationToken.None).ConfigureAwait(false);
        Log.MessageRenewed(logger, job.JobId, message.ReceiveCount);
        return true;
    }

    // Back to the queue after a backoff, or Failed and dead-lettered when the attempts are used up. The count is the
    // record's own, raised in the same write as the status.
    private async Task<string> FailAttemptAsync(MessageHolder holder, JobLease lease, string error, int failedBefore)
    {
        var (failures, usedUp, wait) = RetryPlan.After(failedBefore, _options.MaxAttempts, _options.RetryBackoff);
        if (usedUp)
        {
            var reason = $"failed {failures} of {_options.MaxAttempts} attempts; the last: {error}";
            await store.FinishAsync(lease, JobStatus.Failed, new JobOutcome { Error = reason, FailedAttempt = true }, state.FinalWrites).ConfigureAwait(false);
            if (holder.Held) await queue.DeadLetterAsync(holder.Message, reason, state.FinalWrites).ConfigureAwait(false);
            return "failed";
        }

        await store.FinishAsync(lease, JobStatus.Queued,
            new JobOutcome { Error = $"attempt {failures} of {_options.MaxAttempts} failed, retry in {wait.TotalSeconds:F0} s: {error}", FailedAttempt = true },
            state.FinalWrites).ConfigureAwait(false);
        if (holder.Held) await queue.ExtendAsync(holder.Message, wait, state.FinalWrites).ConfigureAwait(false);
        return "retrying";
    }

    // The worker stops (or a node of the gang does, or the gang did not form): the newest checkpoint is durable, so
    // another worker resumes from it right away.
    private async Task<string> HandOffAsync(MessageHolder holder, JobLease lease, string? reason)
    {
        await store.FinishAsync(lease, JobStatus.Queued, new JobOutcome { Error = $"handed off by {lease.WorkerId}: {reason ?? state.StopReason}" }, state.FinalWrites)
            .ConfigureAwait(false);
        await GiveBackAsync(holder).ConfigureAwait(false);
        return "handed_off";
    }

    private string LeaseLost(string jobId)
    {
        Log.LeaseLost(logger, jobId);
        return "lease_lost";
    }
}
