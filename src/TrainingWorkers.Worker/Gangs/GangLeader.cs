using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;
using TrainingWorkers.Core.Spec;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>
/// What node 0 of a gang does besides what every job's worker does (<see cref="JobRunner"/>): claim the job with every
/// node reserved (<see cref="GangFormer"/>), watch the other nodes while the ranks train (<see cref="GangWatch"/>),
/// and afterwards give back its own slot and those of nodes that never joined (the others give back their own).
/// </summary>
internal sealed class GangLeader(GangFormer former, IJobStore store, IGangStore gangs, IWorkerRegistry registry, WorkerState state,
    IOptions<WorkerOptions> options, TimeProvider time, ILogger<GangLeader> logger)
{
    public Task<GangClaim> ClaimAsync(MessageHolder holder, JobRecord record, JobSpec spec, JobSlot slot) => former.ClaimAsync(holder, record, spec, slot);

    public GangWatch Watch(string jobId, Gang gang, JobStop stop) => new(jobId, gang, 0, null, stop, store, gangs, options.Value, time, logger);

    public async Task ReleaseAsync(string jobId, Gang gang)
    {
        try
        {
            var joined = (await gangs.GetNodesAsync(jobId, state.FinalWrites).ConfigureAwait(false))
                .Where(n => n.FencingToken == gang.FencingToken).Select(n => n.Node).ToHashSet();
            for (var node = 0; node < gang.Nodes; node++)
            {
                // A node that joined gives back its own slot when its ranks end; taking it from under them would let
                // another gang reserve a slot still in use.
                if (node == 0 || !joined.Contains(node))
                {
                    await registry.ReleaseAsync(gang.Members[node], jobId, gang.FencingToken, state.FinalWrites).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A slot left marked held makes its worker look busy to gangs (never the reverse); a restart clears it.
            Log.RegistrationFailed(logger, e.Message);
        }
    }
}
