namespace TrainingWorkers.Core.Jobs;

/// <summary>
/// The durable state of training jobs. Every state change is conditional: exactly one worker wins
/// a claim, and a worker whose lease was taken over (stale fencing token) can write nothing more.
/// </summary>
public interface IJobStore
{
    /// <summary>Records a newly submitted job as <see cref="JobStatus.Queued"/>; false if the job id already exists.</summary>
    Task<bool> CreateAsync(string jobId, string specJson, CancellationToken cancellationToken);

    /// <summary>The job's record, or null if there is none.</summary>
    Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the job for <paramref name="workerId"/> if it is queued, or running under an expired lease.
    /// Returns the lease with a new fencing token, or null when another worker holds it or the job is finished.
    /// </summary>
    Task<JobLease?> TryClaimAsync(string jobId, string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Extends the lease; throws <see cref="LeaseLostException"/> when the token is stale.</summary>
    Task<JobLease> HeartbeatAsync(JobLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken);

    /// <summary>Records the newest durable checkpoint; throws <see cref="LeaseLostException"/> when the token is stale.</summary>
    Task RecordCheckpointAsync(JobLease lease, string checkpointId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the job to <paramref name="status"/> (a terminal one ends the lease, <see cref="JobStatus.Queued"/>
    /// gives the job back); throws <see cref="LeaseLostException"/> when the token is stale.
    /// </summary>
    Task FinishAsync(JobLease lease, JobStatus status, JobOutcome outcome, CancellationToken cancellationToken);

    /// <summary>Records how far training has come and the newest metrics, for <c>tw status</c>; throws <see cref="LeaseLostException"/> when the token is stale.</summary>
    Task RecordProgressAsync(JobLease lease, JobProgress progress, CancellationToken cancellationToken);

    /// <summary>
    /// Records one epoch's metrics as an item of its own (a resumed attempt writes an epoch again, replacing it);
    /// throws <see cref="LeaseLostException"/> when the token is stale.
    /// </summary>
    Task RecordEpochAsync(JobLease lease, int epoch, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken);

    /// <summary>Every epoch's metrics the job's workers recorded, oldest epoch first.</summary>
    Task<IReadOnlyList<EpochMetrics>> GetEpochsAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Asks for the job to stop: a queued job becomes <see cref="JobStatus.Cancelled"/> at once; a running one is
    /// marked, and its worker cancels it at its next heartbeat. Returns the job's status after the request,
    /// or null when there is no such job. A finished job stays as it is.
    /// </summary>
    Task<JobStatus?> RequestCancelAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> jobs, newest first.</summary>
    Task<IReadOnlyList<JobRecord>> ListAsync(int limit, CancellationToken cancellationToken);

    /// <summary>The job's status changes, oldest first.</summary>
    Task<IReadOnlyList<JobStatusChange>> GetHistoryAsync(string jobId, CancellationToken cancellationToken);
}
