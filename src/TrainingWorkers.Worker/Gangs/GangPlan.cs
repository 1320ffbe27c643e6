using TrainingWorkers.Core.Gangs;

namespace TrainingWorkers.Worker.Gangs;

/// <summary>Which workers a gang's node 0 asks for: itself and <c>nodes - 1</c> others that are reservable now.</summary>
internal sealed record GangPlan(IReadOnlyList<string>? Members, bool LeaderFree, int Idle)
{
    /// <summary>
    /// The members (node 0 = <paramref name="leader"/>, then the others in a random order, which spreads the gangs
    /// that form at the same moment over different workers), or null members when too few are idle. Only fresh,
    /// undrained workers with a free slot and, when the gang needs GPUs, at least <paramref name="gpusPerNode"/> of them count.
    /// </summary>
    public static GangPlan Choose(IReadOnlyList<WorkerRegistration> workers, string leader, string jobId, int nodes, int gpusPerNode,
        DateTimeOffset now, TimeSpan staleAfter, Random random)
    {
        bool Fits(WorkerRegistration w) => w.IsReservable(jobId, now, staleAfter) && w.GpusPerSlot >= gpusPerNode;
        var leaderFree = workers.Any(w => w.WorkerId == leader && Fits(w));
        var others = workers.Where(w => w.WorkerId != leader && Fits(w)).Select(w => w.WorkerId).ToList();
        var idle = others.Count + (leaderFree ? 1 : 0);
        if (!leaderFree || others.Count < nodes - 1) return new GangPlan(null, leaderFree, idle);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(others));
        return new GangPlan([leader, .. others.Take(nodes - 1)], true, idle);
    }
}
