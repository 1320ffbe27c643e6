using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker;

/// <summary>
/// Takes one received message to its end: claim the job, read its spec, run an attempt under a heartbeat, decide
/// what the attempt's end means (<see cref="OutcomeDecision"/>) and settle it (<see cref="JobSettlement"/>). A job's
/// failure never escapes: the worker goes on with the next message. An AWS error no retry can fix (access denied,
/// the table gone) gives the message back and stops the worker with exit code 3.
/// </summary>
internal sealed class JobRunner(
    IJobQueue queue, IJobStore store, IAttemptRunner attempts, JobSettlement settlement, IFleetOutcomes fleet, IOptions<WorkerOptions> options,
    WorkerIdentity identity, WorkerState state, TimeProvider time, ILogger<JobRunner> logger)
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
        if (await store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false) is null)
        {
            await store.CreateAsync(jobId, specJson, CancellationToken.None).ConfigureAwait(false);
        }

        var lease = await store.TryClaimAsync(jobId, identity.WorkerId, options.Value.LeaseDuration, CancellationToken.None).ConfigureAwait(false);
        if (lease is null) return await settlement.LeaveAsync(holder.Message, jobId).ConfigureAwait(false);

        var record = (await store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false))!;
        Log.JobClaimed(logger, jobId, record.Attempts, lease.FencingToken, slot.Index);
        if (record.CancelRequested)
        {
            return await settlement.SettleAsync(holder, lease, JobStatus.Cancelled, new JobOutcome { Error = "cancelled by request" }).ConfigureAwait(false);
        }

        JobSpec spec;
        try
        {
            spec = JobSpecParser.Parse(specJson);
        }
        catch (InvalidSpecException e)
        {
            // A poison message: the job fails alone, for good, with every validation error; the message goes.
            var failure = JobFailure.From(e) with { Message = "invalid spec: " + string.Join("; ", e.Errors) };
            return await settlement.SettleAsync(holder, lease, JobStatus.Failed, new JobOutcome { Error = failure.ToString() }).ConfigureAwait(false);
        }

        using var stop = new JobStop(shutdown);
        AttemptEnd end;
        JobLease last;
        await using (var heartbeat = new JobHeartbeat(holder, lease, stop, queue, store, options.Value, time, logger))
        {
            end = await attempts.RunAsync(new AttemptContext(jobId, spec, specJson, slot, holder.Message.SentAt, () => heartbeat.Lease, stop)).ConfigureAwait(false);
            last = heartbeat.Lease;
        }

        var decision = OutcomeDecision.Decide(end, stop.Cause, stop.FatalError, spec);
        return await settlement.ApplyAsync(holder, last, decision, record.FailedAttempts, end).ConfigureAwait(false);
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
