using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;
using TrainingWorkers.Engine.Distributed;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>
/// Node 0's side of gang scheduling: the worker that received a multi-node job's message reads the registrations,
/// picks itself and <c>nodes - 1</c> idle, fresh workers, and claims the job with one slot of each in one
/// all-or-nothing write (<see cref="IGangStore.TryFormAsync"/>). When too few are idle it holds nothing: the message
/// comes back after <see cref="WorkerOptions.GangRetryDelay"/> (with jitter), renewed before the redrive policy would
/// take it for poison, so a gang waits for the fleet to grow instead of failing. Two gangs can never each hold part of it.
/// </summary>
internal sealed class GangFormer(IJobStore store, IWorkerRegistry registry, IGangStore gangs, JobSettlement settlement, IFleetOutcomes fleet,
    WorkerIdentity identity, IOptions<WorkerOptions> options, TimeProvider time, ILogger<GangFormer> logger)
{
    // A chosen worker may be taken between the read and the write: read again, a few times, before waiting.
    private const int Tries = 3;
    private readonly WorkerOptions _options = options.Value;

    public async Task<GangClaim> ClaimAsync(MessageHolder holder, JobRecord record, JobSpec spec, JobSlot slot)
    {
        var jobId = record.JobId;
        var nodes = spec.Resources.Nodes;
        // Ranks per node: the spec's GPUs per node where the node has GPUs, else the slot's own count (one on a CPU machine).
        var processes = slot.Gpus.Count > 0 && spec.Resources.GpusPerNode is { } gpus ? gpus : slot.Processes;
        var idle = 0;
        for (var attempt = 0; attempt < Tries; attempt++)
        {
            var observed = attempt == 0 ? record : await store.GetAsync(jobId, CancellationToken.None).ConfigureAwait(false);
            var now = time.GetUtcNow();
            if (observed is null || !(observed.Status == JobStatus.Queued || (observed.Status == JobStatus.Running && observed.LeaseExpiresAt <= now)))
            {
                return new GangClaim(null, null, await settlement.LeaveAsync(holder.Message, jobId).ConfigureAwait(false));
            }

            var workers = await registry.ListAsync(CancellationToken.None).ConfigureAwait(false);
            var plan = GangPlan.Choose(workers, identity.WorkerId, jobId, nodes, slot.Gpus.Count > 0 ? processes : 0, now, _options.RegistrationStaleAfter, Random.Shared);
            idle = plan.Idle;
            if (!plan.LeaderFree) return await GiveBackAsync(holder, jobId).ConfigureAwait(false);
            if (plan.Members is null) break;
            var gang = new Gang
            {
                FencingToken = 0, Members = plan.Members, ProcessesPerNode = processes, MasterAddress = identity.Address,
                MasterPort = _options.MasterPort == 0 ? LaunchOptions.FreePort() : _options.MasterPort + slot.Index,
                FormedAt = time.GetUtcNow(), Resume = observed.LatestCheckpointId is not null,
            };
            var formation = await gangs.TryFormAsync(observed, gang, _options.LeaseDuration, _options.RegistrationStaleAfter, CancellationToken.None).ConfigureAwait(false);
            switch (formation.Conflict)
            {
                case GangConflict.None:
                    Log.GangFormed(logger, jobId, nodes, formation.Lease!.FencingToken, string.Join(", ", formation.Gang!.Members), gang.MasterAddress, gang.MasterPort);
                    return new GangClaim(formation.Lease, formation.Gang, null);
                case GangConflict.JobTaken:
                    return new GangClaim(null, null, await settlement.LeaveAsync(holder.Message, jobId).ConfigureAwait(false));
                case GangConflict.LeaderTaken:
                    return await GiveBackAsync(holder, jobId).ConfigureAwait(false);
            }
        }

        // Too few idle: nothing is held. The message is the gang's place in line; its demand (the nodes beyond this
        // one) goes to the fleet's scaling metric, so that a fleet too small, or at zero, grows for it.
        var wait = _options.GangRetryDelay * (0.75 + (0.5 * Random.Shared.NextDouble()));
        await settlement.DelayAsync(holder.Message, wait).ConfigureAwait(false);
        holder.Held = false;
        fleet.GangWaiting(nodes - 1);
        Log.GangWaiting(logger, jobId, nodes, idle, wait.TotalSeconds);
        return new GangClaim(null, null, "gang_waiting");
    }

    // Another gang reserved this worker's slot first: the message goes back at once for another worker, and this one serves that gang.
    private async Task<GangClaim> GiveBackAsync(MessageHolder holder, string jobId)
    {
        await settlement.PassOnAsync(holder).ConfigureAwait(false);
        Log.SlotReserved(logger, jobId);
        return new GangClaim(null, null, "slot_reserved");
    }
}
