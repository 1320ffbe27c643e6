namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// Which queued jobs the idle workers take, as the workers' long polls decide it. Today each job takes one worker,
/// first come first served (<see cref="FifoDispatcher"/>). Multi-node gang jobs (2-16 nodes) put a placement here:
/// first come first served that holds idle instances until a gang is complete, or a reservation that sets them aside.
/// </summary>
internal interface IJobDispatcher
{
    /// <summary>Pairs jobs with idle workers (each pair starts now); the jobs are visible and in arrival order.</summary>
    IEnumerable<(SimJob Job, SimInstance Worker)> Dispatch(IReadOnlyList<SimJob> visible, IReadOnlyList<SimInstance> idle);
}

/// <summary>One worker per job, oldest job first: what SQS and one-job-per-instance workers do.</summary>
internal sealed class FifoDispatcher : IJobDispatcher
{
    public IEnumerable<(SimJob Job, SimInstance Worker)> Dispatch(IReadOnlyList<SimJob> visible, IReadOnlyList<SimInstance> idle) =>
        visible.Where(j => j.Arrival.Nodes == 1).Zip(idle);
}
