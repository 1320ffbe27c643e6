using TrainingWorkers.Core.Gangs;
using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Testing;

/// <summary>
/// <see cref="IGangStore"/> over the in-memory job store and worker registry, with the DynamoDB store's conditions: a
/// gang's claim and every member's reservation happen together or not at all (both stores locked, jobs first).
/// </summary>
public sealed class InMemoryGangStore(InMemoryJobStore jobs, InMemoryWorkerRegistry workers, TimeProvider time) : IGangStore
{
    private readonly Dictionary<(string JobId, int Node), GangNode> _nodes = [];

    public Task<GangFormation> TryFormAsync(JobRecord observed, Gang gang, TimeSpan leaseDuration, TimeSpan staleAfter, CancellationToken cancellationToken) =>
        jobs.Locked(nameof(TryFormAsync), records =>
        {
            var now = time.GetUtcNow();
            if (!records.TryGetValue(observed.JobId, out var job) || job.FencingToken != observed.FencingToken
                || !(job.Status == JobStatus.Queued || (job.Status == JobStatus.Running && job.LeaseExpiresAt <= now)))
            {
                return GangFormation.Refused(GangConflict.JobTaken);
            }

            var formed = gang with { FencingToken = job.FencingToken + 1, FormedAt = now };
            return workers.Locked(registrations =>
            {
                for (var node = 0; node < formed.Nodes; node++)
                {
                    if (!registrations.TryGetValue(formed.Members[node], out var r) || !r.IsReservable(job.JobId, now, staleAfter + TimeSpan.FromTicks(1)))
                    {
                        return GangFormation.Refused(node == 0 ? GangConflict.LeaderTaken : GangConflict.PeerTaken);
                    }
                }

                for (var node = 0; node < formed.Nodes; node++)
                {
                    var member = formed.Members[node];
                    registrations[member] = InMemoryWorkerRegistry.With(registrations[member], new Reservation(job.JobId, formed.FencingToken, node, now));
                }

                var lease = new JobLease(job.JobId, formed.Members[0], formed.FencingToken, now + leaseDuration);
                records[job.JobId] = job with
                {
                    Status = JobStatus.Running, LeaseOwner = lease.WorkerId, LeaseExpiresAt = lease.ExpiresAt, FencingToken = lease.FencingToken,
                    Attempts = job.Attempts + 1, UpdatedAt = now, Gang = formed, HandOffRequested = null,
                };
                jobs.RecordChange(job.JobId, JobStatus.Running, lease.WorkerId, lease.FencingToken, $"claimed by a gang of {formed.Nodes}");
                return new GangFormation(lease, formed, GangConflict.None);
            }).Result;
        });

    public Task<GangNode?> JoinAsync(string jobId, int node, string workerId, long fencingToken, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
        jobs.Locked(nameof(JoinAsync), records =>
        {
            if (!records.TryGetValue(jobId, out var job) || job.Status != JobStatus.Running || job.FencingToken != fencingToken) return null;
            if (_nodes.TryGetValue((jobId, node), out var held) && held.FencingToken >= fencingToken) return null;
            return (GangNode?)(_nodes[(jobId, node)] = new GangNode(jobId, node, workerId, fencingToken, time.GetUtcNow() + leaseDuration));
        });

    public Task<GangNode> RenewAsync(GangNode lease, TimeSpan leaseDuration, CancellationToken cancellationToken) =>
        jobs.Locked(nameof(RenewAsync), _ =>
        {
            if (!Holds(lease, out var held) || held.EndedAt is not null) throw new LeaseLostException(lease.JobId, lease.FencingToken, $"node {lease.Node}'s lease is held by a newer gang");
            return _nodes[(lease.JobId, lease.Node)] = held with { ExpiresAt = time.GetUtcNow() + leaseDuration };
        });

    public Task EndAsync(GangNode lease, string? error, CancellationToken cancellationToken) => jobs.Locked(nameof(EndAsync), _ =>
    {
        if (Holds(lease, out var held)) _nodes[(lease.JobId, lease.Node)] = held with { EndedAt = time.GetUtcNow(), Error = error };
        return true;
    });

    public Task<IReadOnlyList<GangNode>> GetNodesAsync(string jobId, CancellationToken cancellationToken) => jobs.Locked(nameof(GetNodesAsync), _ =>
        (IReadOnlyList<GangNode>)_nodes.Values.Where(n => n.JobId == jobId).OrderBy(n => n.Node).ToList());

    public Task<bool> RequestHandOffAsync(string jobId, long fencingToken, string reason, CancellationToken cancellationToken) =>
        jobs.Locked(nameof(RequestHandOffAsync), records =>
        {
            if (!records.TryGetValue(jobId, out var job) || job.Status != JobStatus.Running || job.FencingToken != fencingToken) return false;
            records[jobId] = job with { HandOffRequested = reason, UpdatedAt = time.GetUtcNow() };
            return true;
        });

    private bool Holds(GangNode lease, out GangNode held) =>
        _nodes.TryGetValue((lease.JobId, lease.Node), out held!) && held.FencingToken == lease.FencingToken && held.WorkerId == lease.WorkerId;
}
