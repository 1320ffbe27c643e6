using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Core.Failures;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>
/// A node other than 0 of a gang on this worker, started from a reservation its poll loop found (no queue message):
/// join (the node's own fenced lease, only while the job runs under the gang's token), train this node's ranks under
/// a <see cref="GangWatch"/>, record the node's end (with its error, so node 0 stops at once), give the slot back.
/// Node 0 alone decides the job's outcome. When this worker stops, it first asks node 0 to hand the whole job off,
/// then stops its ranks: the group stops together and rank 0 checkpoints.
/// </summary>
internal sealed class GangMember(IJobStore store, IGangStore gangs, IWorkerRegistry registry, INodeAttemptRunner attempts, WorkerIdentity identity,
    WorkerState state, IOptions<WorkerOptions> options, TimeProvider time, ILogger<GangMember> logger)
{
    private readonly WorkerOptions _options = options.Value;

    /// <param name="shutdown">Fires when the worker stops: the whole job is handed off.</param>
    public async Task RunAsync(Reservation reservation, JobSlot slot, CancellationToken shutdown)
    {
        var jobId = reservation.JobId;
        try
        {
            var record = await store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false);
            var gang = record?.Gang;
            GangNode? lease = null;
            if (record is { Status: JobStatus.Running } && gang is not null && gang.FencingToken == reservation.FencingToken
                && gang.NodeOf(identity.WorkerId) == reservation.Node)
            {
                if (shutdown.IsCancellationRequested)
                {
                    await RequestHandOffAsync(jobId, reservation.Node, reservation.FencingToken,
                        $"node {reservation.Node} ({identity.WorkerId}) stopped before it joined: {state.StopReason}").ConfigureAwait(false);
                    return;
                }

                lease = await gangs.JoinAsync(jobId, reservation.Node, identity.WorkerId, gang.FencingToken, _options.LeaseDuration, CancellationToken.None).ConfigureAwait(false);
            }

            if (lease is null)
            {
                Log.ReservationStale(logger, jobId, reservation.Node, reservation.FencingToken);
                return;
            }

            Log.GangJoined(logger, jobId, lease.Node, lease.FencingToken, gang!.MasterAddress, gang.MasterPort);
            var outcome = await TrainAsync(record!, gang, lease, slot, shutdown).ConfigureAwait(false);
            Log.NodeEnded(logger, jobId, lease.Node, outcome);
        }
        catch (Exception e) when (JobFailure.From(e).Kind == FailureKind.Fatal)
        {
            // The table gone or access refused: the worker stops (exit 3); node 0 sees this node's lease run out.
            if (state.StopFatally(e.Message)) Log.FatalConfiguration(logger, e.Message);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The store unreachable: node 0 sees this node's lease run out and stops the gang.
            Log.JobCrashed(logger, jobId, e);
        }
        finally
        {
            await ReleaseAsync(reservation).ConfigureAwait(false);
        }
    }

    private async Task<string> TrainAsync(JobRecord record, Gang gang, GangNode lease, JobSlot slot, CancellationToken shutdown)
    {
        using var stop = new JobStop(CancellationToken.None);
        AttemptEnd end;
        await using (var watch = new GangWatch(record.JobId, gang, lease.Node, lease, stop, store, gangs, _options, time, logger))
        {
            var attempt = attempts.RunAsync(new NodeAttemptContext(record.JobId, JobSpecParser.Parse(record.SpecJson), record.SpecJson, slot, gang, lease.Node, stop));
            if (await Task.WhenAny(attempt, Task.Delay(Timeout.Infinite, shutdown)).ConfigureAwait(false) != attempt)
            {
                // The request is durable before the ranks stop, so node 0 reads why its ranks stopped as a hand-off, not a failure.
                await RequestHandOffAsync(record.JobId, lease.Node, lease.FencingToken, $"node {lease.Node} ({identity.WorkerId}) stops: {state.StopReason}").ConfigureAwait(false);
                stop.Stop(StopCause.Shutdown);
            }

            end = await attempt.ConfigureAwait(false);
            lease = watch.Lease ?? lease;
        }

        // Only this node's own failure, while the gang still stands, is news to node 0; after a stop (this node's, a cancel,
        // another node's hand-off) it is an echo of that.
        var failure = stop.Cause == StopCause.None && end.Launch is not { Succeeded: true } ? Failure(end) : null;
        if (failure is { Kind: FailureKind.Fatal })
        {
            // This worker's own fault (no tw to start ranks with, its access refused), not the job's: node 0 hands the job
            // off to a new gang, and this worker stops with exit code 3.
            await RequestHandOffAsync(record.JobId, lease.Node, lease.FencingToken, $"node {lease.Node} ({identity.WorkerId}) stops: {failure.Message}").ConfigureAwait(false);
            if (state.StopFatally(failure.Message)) Log.FatalConfiguration(logger, failure.Message);
            failure = null;
        }

        if (failure is not null && await store.GetAsync(record.JobId, CancellationToken.None).ConfigureAwait(false) is var now
            && !(now is { Status: JobStatus.Running, CancelRequested: false, HandOffRequested: null } && now.FencingToken == gang.FencingToken))
        {
            failure = null;
        }

        await gangs.EndAsync(lease, failure?.ToString(), state.FinalWrites).ConfigureAwait(false);
        return failure?.ToString() ?? (stop.Cause == StopCause.None ? "completed" : $"stopped: {stop.Reason ?? stop.Cause.ToString()}");
    }

    private static JobFailure Failure(AttemptEnd end) =>
        end.Error is { } e ? JobFailure.From(e)
        : end.Launch?.Failure is { } rank ? rank.Failure with { Message = $"rank {rank.Rank}: {rank.Failure.Message}" }
        : JobFailure.Of(FailureKind.Crashed, "the ranks stopped without a result");

    private async Task RequestHandOffAsync(string jobId, int node, long fencingToken, string reason)
    {
        Log.HandOffRequested(logger, jobId, node, reason);
        await gangs.RequestHandOffAsync(jobId, fencingToken, reason, state.FinalWrites).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(Reservation reservation)
    {
        try
        {
            await registry.ReleaseAsync(identity.WorkerId, reservation.JobId, reservation.FencingToken, state.FinalWrites).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.RegistrationFailed(logger, e.Message);
        }
    }
}
