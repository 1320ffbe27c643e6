using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Worker.Gangs;

namespace TrainingWorkers.Worker;

/// <summary>
/// Takes one received message to its end: claim the job (alone, on one of this worker's slots, or for a multi-node job
/// as node 0 of a gang, <see cref="GangFormer"/>), read its spec, run an attempt under a heartbeat, decide what the
/// attempt's end means (<see cref="OutcomeDecision"/>) and settle it (<see cref="JobSettlement"/>). A job's failure
/// never escapes: the worker goes on with the next message. An AWS error no retry can fix (access denied, the table
/// gone) gives the message back and stops the worker with exit code 3.
/// </summary>
internal sealed class JobRunner(
    IJobQueue queue, IJobStore store, IWorkerRegistry registry, IAttemptRunner attempts, JobSettlement settlement, GangLeader gangs, IFleetOutcomes fleet,
    IOptions<WorkerOptions> options, WorkerIdentity identity, WorkerState state, TimeProvider time, ILogger<JobRunner> logger)
{
    /// <param name="shutdown">Fires when the worker stops: the job is checkpointed and handed off.</param>
    public async Task RunAsync(ReceivedJob message, JobSlot slot, CancellationToken shutdown)
    {
        using var activity = Telemetry.Source.StartActivity("job");
        activity?.SetTag("messaging.message.id", message.MessageId);
        Telemetry.Received.Add(1);
        var holder = new MessageHolder(message, time.GetUtcNow());
        try
        {
            if (message.Job is not { } job)
            {
                Log.UnreadableMessage(logger, message.MessageId, message.Problem ?? "unknown");
                await queue.DeadLetterAsync(message, "not a job: " + message.Problem, CancellationToken.None).ConfigureAwait(false);
                Telemetry.Outcome("unreadable", TimeSpan.Zero);
                fleet.JobEnded("unreadable");
                return;
            }

            activity?.SetTag("tw.job_id", job.JobId);
            if (state.Stopping)
            {
                // Received while the worker stops (a long poll that was already under way): another worker takes it now.
                await settlement.GiveBackAsync(holder).ConfigureAwait(false);
                Log.GivenBack(logger, job.JobId, state.StopReason);
                return;
            }

            var clock = Stopwatch.StartNew();
            var outcome = await RunJobAsync(holder, job, slot, shutdown).ConfigureAwait(false);
            Telemetry.Outcome(outcome, clock.Elapsed);
            fleet.JobEnded(outcome);
            Log.JobEnded(logger, job.JobId, outcome, clock.Elapsed.TotalSeconds);
        }
        catch (Exception e) when (JobFailure.From(e).Kind == FailureKind.Fatal)
        {
            await GiveBackAfterFatalAsync(holder).ConfigureAwait(false);
            if (state.StopFatally(e.Message)) Log.FatalConfiguration(logger, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Anything unforeseen (the store or queue unreachable after retries): the message comes back after its
            // visibility timeout and the job resumes from its newest checkpoint. The worker goes on.
            Log.JobCrashed(logger, message.Job?.JobId ?? message.MessageId, e);
        }
    }

    private async Task<string> RunJobAsync(MessageHolder holder, JobMessage job, JobSlot slot, CancellationToken shutdown)
    {
        var jobId = job.JobId;
        var specJson = job.Spec.GetRawText();
        // Sent with the AWS CLI or an SDK: no record yet.
        if (await store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false) is not { } record)
        {
            await store.CreateAsync(jobId, specJson, CancellationToken.None).ConfigureAwait(false);
            record = (await store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false))!;
        }

        var (spec, invalid) = Parse(specJson);
        var refusal = spec is null ? null : ResourceCheck.Refusal(spec, slot, options.Value);
        if (spec is { Resources.MultiNode: true } && refusal is null) return await RunGangAsync(holder, record, spec, specJson, slot, shutdown).ConfigureAwait(false);

        // One node: this worker's own slot first (a gang may have reserved it since the message came), then the claim.
        if (!await registry.TryTakeSlotAsync(identity.WorkerId, jobId, CancellationToken.None).ConfigureAwait(false))
        {
            await settlement.PassOnAsync(holder).ConfigureAwait(false);
            Log.SlotReserved(logger, jobId);
            return "slot_reserved";
        }

        try
        {
            var lease = await store.TryClaimAsync(jobId, identity.WorkerId, options.Value.LeaseDuration, CancellationToken.None).ConfigureAwait(false);
            if (lease is null) return await settlement.LeaveAsync(holder.Message, jobId).ConfigureAwait(false);
            record = (await store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false))!;
            Log.JobClaimed(logger, jobId, record.Attempts, lease.FencingToken, slot.Index);
            if (record.CancelRequested)
            {
                return await settlement.SettleAsync(holder, lease, JobStatus.Cancelled, new JobOutcome { Error = "cancelled by request" }).ConfigureAwait(false);
            }

            // A poison message: the job fails alone, for good, with every validation error; the message goes.
            var failure = invalid is not null ? JobFailure.From(invalid) with { Message = "invalid spec: " + string.Join("; ", invalid.Errors) }
                : refusal is not null ? JobFailure.From(refusal) : null;
            if (failure is not null) return await settlement.SettleAsync(holder, lease, JobStatus.Failed, new JobOutcome { Error = failure.ToString() }).ConfigureAwait(false);
            return await TrainAsync(holder, lease, record, spec!, specJson, slot, gang: null, shutdown).ConfigureAwait(false);
        }
        finally
        {
            await ReleaseSlotAsync(jobId).ConfigureAwait(false);
        }
    }

    private async Task ReleaseSlotAsync(string jobId)
    {
        try
        {
            await registry.ReleaseAsync(identity.WorkerId, jobId, Reservation.Unclaimed, state.FinalWrites).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The slot stays marked held: gangs see this worker as busy (never the reverse) until it restarts.
            Log.RegistrationFailed(logger, e.Message);
        }
    }

    // Node 0 of a gang: the claim reserves every node at once (or the message waits and nothing is held).
    private async Task<string> RunGangAsync(MessageHolder holder, JobRecord record, JobSpec spec, string specJson, JobSlot slot, CancellationToken shutdown)
    {
        var claim = await gangs.ClaimAsync(holder, record, spec, slot).ConfigureAwait(false);
        if (claim.Outcome is { } outcome) return outcome;
        var (lease, gang) = (claim.Lease!, claim.Gang!);
        fleet.GangLed(gang.Nodes - 1);
        try
        {
            record = (await store.GetAsync(record.JobId, CancellationToken.None).ConfigureAwait(false))!;
            Log.JobClaimed(logger, record.JobId, record.Attempts, lease.FencingToken, slot.Index);
            if (record.CancelRequested)
            {
                return await settlement.SettleAsync(holder, lease, JobStatus.Cancelled, new JobOutcome { Error = "cancelled by request" }).ConfigureAwait(false);
            }

            return await TrainAsync(holder, lease, record, spec, specJson, slot, gang, shutdown).ConfigureAwait(false);
        }
        finally
        {
            fleet.GangLed(1 - gang.Nodes);
            await gangs.ReleaseAsync(record.JobId, gang).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Trains a claimed job under its heartbeat (and, as node 0 of a gang, its <see cref="GangWatch"/>), decides what the
    /// attempt's end means and settles it.
    /// </summary>
    private async Task<string> TrainAsync(MessageHolder holder, JobLease lease, JobRecord record, JobSpec spec, string specJson, JobSlot slot, Gang? gang,
        CancellationToken shutdown)
    {
        using var stop = new JobStop(shutdown);
        AttemptEnd end;
        JobLease last;
        await using (var heartbeat = new JobHeartbeat(holder, lease, stop, queue, store, options.Value, time, logger))
        await using (var watch = gang is null ? null : gangs.Watch(record.JobId, gang, stop))
        {
            end = await attempts.RunAsync(new AttemptContext(record.JobId, spec, specJson, slot, holder.Message.SentAt, () => heartbeat.Lease, stop, gang))
                .ConfigureAwait(false);
            // The ranks may have stopped because another node asked for a hand-off or failed: look once more before deciding.
            if (watch is not null) await watch.CheckOnceAsync(CancellationToken.None).ConfigureAwait(false);
            last = heartbeat.Lease;
        }

        var decision = OutcomeDecision.Decide(end, stop.Cause, stop.FatalError, spec, stop.Reason, stop.NodeFailure);
        return await settlement.ApplyAsync(holder, last, decision, record.FailedAttempts, end).ConfigureAwait(false);
    }

    private static (JobSpec? Spec, InvalidSpecException? Invalid) Parse(string specJson)
    {
        try
        {
            return (JobSpecParser.Parse(specJson), null);
        }
        catch (InvalidSpecException e)
        {
            return (null, e);
        }
    }

    // The store may be gone or refused: the message is what can still be given back, so another worker (or this
    // one, restarted with a good configuration) takes the job without waiting for its visibility to run out.
    private async Task GiveBackAfterFatalAsync(MessageHolder holder)
    {
        try
        {
            await settlement.GiveBackAsync(holder).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.GiveBackFailed(logger, holder.Message.MessageId, e.Message);
        }
    }
}
