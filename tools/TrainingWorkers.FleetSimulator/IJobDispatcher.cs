namespace TrainingWorkers.FleetSimulator;

/// <summary>
/// Which queued jobs the idle workers take, as the workers' long polls decide it: the worker's all-or-nothing gang
/// formation (<see cref="GangDispatcher"/>, which for jobs of one node is plain first come first served), or first come
/// first served without reservation (<see cref="GreedyDispatcher"/>), the baseline it is measured against.
/// </summary>
internal interface IJobDispatcher
{
    /// <summary>Pairs jobs with idle workers (each worker takes its job now); the jobs are visible and in arrival order.</summary>
    IReadOnlyList<(SimJob Job, SimInstance Worker)> Dispatch(IReadOnlyList<SimJob> visible, IReadOnlyList<SimInstance> idle);
}

/// <summary>
/// What the worker does: the oldest job first, each takes all its nodes' workers at once or none; a job that does not fit
/// holds nothing (its message goes back) and a later, smaller one may start meanwhile.
/// </summary>
internal sealed class GangDispatcher : IJobDispatcher
{
    public IReadOnlyList<(SimJob Job, SimInstance Worker)> Dispatch(IReadOnlyList<SimJob> visible, IReadOnlyList<SimInstance> idle)
    {
        var free = new Queue<SimInstance>(idle);
        var pairs = new List<(SimJob, SimInstance)>();
        foreach (var job in visible.Where(j => j.Arrival.Nodes <= free.Count))
        {
            for (var n = 0; n < job.Arrival.Nodes; n++) pairs.Add((job, free.Dequeue()));
        }

        return pairs;
    }
}

/// <summary>
/// First come first served without reservation: each idle worker joins the oldest job that still lacks nodes and waits
/// there for the rest, up to its join timeout (pods of a job scheduled one by one, each rank waiting at the rendezvous).
/// </summary>
internal sealed class GreedyDispatcher : IJobDispatcher
{
    public IReadOnlyList<(SimJob Job, SimInstance Worker)> Dispatch(IReadOnlyList<SimJob> visible, IReadOnlyList<SimInstance> idle)
    {
        var free = new Queue<SimInstance>(idle);
        var pairs = new List<(SimJob, SimInstance)>();
        foreach (var job in visible)
        {
            for (var held = job.Holders.Count; held < job.Arrival.Nodes && free.Count > 0; held++) pairs.Add((job, free.Dequeue()));
        }

        return pairs;
    }
}
