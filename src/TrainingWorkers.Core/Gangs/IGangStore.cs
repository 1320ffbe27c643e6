using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Core.Gangs;

/// <summary>
/// Multi-node jobs in the job store: the gang's claim (the job and one slot of every node's worker in one
/// all-or-nothing write), each node's fenced lease, and the requests nodes make of node 0.
/// </summary>
public interface IGangStore
{
    /// <summary>
    /// Claims the job as last seen in <paramref name="observed"/> for <paramref name="gang"/>'s node 0 and reserves one slot
    /// of every member (node 0 included) for it, all at once or not at all: every member must still be fresh (heartbeat
    /// younger than <paramref name="staleAfter"/>), not draining, with a free slot. The gang, with the claim's fencing
    /// token, is published in the job's record.
    /// </summary>
    Task<GangFormation> TryFormAsync(JobRecord observed, Gang gang, TimeSpan leaseDuration, TimeSpan staleAfter, CancellationToken cancellationToken);

    /// <summary>Node <paramref name="node"/> joins: its lease, taken only while the job runs under <paramref name="fencingToken"/>; null when it no longer does.</summary>
    Task<GangNode?> JoinAsync(string jobId, int node, string workerId, long fencingToken, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends a node's lease; throws <see cref="LeaseLostException"/> when a newer gang holds the node.</summary>
    Task<GangNode> RenewAsync(GangNode lease, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Records that the node's ranks ended, with the node's error when it failed; nothing when a newer gang holds the node.</summary>
    Task EndAsync(GangNode lease, string? error, CancellationToken cancellationToken);

    /// <summary>The nodes (1 and up) that joined the job's newest gangs, by node rank.</summary>
    Task<IReadOnlyList<GangNode>> GetNodesAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Asks node 0 to hand the whole job off (a node's worker stops): recorded while the job runs under
    /// <paramref name="fencingToken"/>; false when it no longer does.
    /// </summary>
    Task<bool> RequestHandOffAsync(string jobId, long fencingToken, string reason, CancellationToken cancellationToken);
}
