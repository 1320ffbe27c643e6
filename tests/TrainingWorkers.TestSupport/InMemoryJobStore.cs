using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Testing;

/// <summary>
/// <see cref="IJobStore"/> in memory, with the same conditions as the DynamoDB store: claims bump the fencing token,
/// writes with a stale token throw <see cref="LeaseLostException"/>. <see cref="FailNext"/> injects a failure into the
/// next call (an AWS error, a fatal one).
/// </summary>
public sealed class InMemoryJobStore(TimeProvider time) : IJobStore
{
    private readonly StoreCalls _calls = new();
    private readonly Dictionary<string, JobRecord> _jobs = new(StringComparer.Ordinal);
    private readonly StatusHistory<JobStatusChange> _history = new();
    private readonly Dictionary<string, SortedDictionary<int, EpochMetrics>> _epochs = new(StringComparer.Ordinal);

    /// <summary>Every call from now on asks <paramref name="fault"/> (given the operation's name) whether to throw instead.</summary>
    public void FailNext(Func<string, Exception?>? fault) => _calls.FailNext(fault);

    public Task<bool> CreateAsync(string jobId, string specJson, CancellationToken cancellationToken) => Run(nameof(CreateAsync), () =>
    {
        if (_jobs.ContainsKey(jobId)) return false;
        var now = time.GetUtcNow();
        _jobs[jobId] = new JobRecord { JobId = jobId, SpecJson = specJson, Status = JobStatus.Queued, CreatedAt = now, UpdatedAt = now };
        Record(jobId, JobStatus.Queued, null, 0, "submitted");
        return true;
    });

    public Task<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken) => Run(nameof(GetAsync), () => _jobs.GetValueOrDefault(jobId));

    public Task<JobLease?> TryClaimAsync(string jobId, string workerId, TimeSpan leaseDuration, CancellationToken cancellationToken) => Run(nameof(TryClaimAsync), () =>
    {
        if (!_jobs.TryGetValue(jobId, out var job)) return null;
        var now = time.GetUtcNow();
        var takeover = job.Status == JobStatus.Running && job.LeaseExpiresAt <= now;
        if (job.Status != JobStatus.Queued && !takeover) return null;
        var lease = new JobLease(jobId, workerId, job.FencingToken + 1, now + leaseDuration);
        _jobs[jobId] = job with
        {
            Status = JobStatus.Running, LeaseOwner = workerId, LeaseExpiresAt = lease.ExpiresAt, FencingToken = lease.FencingToken,
            Attempts = job.Attempts + 1, UpdatedAt = now,
        };
        Record(jobId, JobStatus.Running, workerId, lease.FencingToken, takeover ? "lease taken over" : "claimed");
        return (JobLease?)lease;
    });

    public Task<JobLease> HeartbeatAsync(JobLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken) => Run(nameof(HeartbeatAsync), () =>
    {
        var renewed = lease with { ExpiresAt = time.GetUtcNow() + leaseDuration };
        Update(lease, job => job with { LeaseExpiresAt = renewed.ExpiresAt });
        return renewed;
    });

    public Task RecordCheckpointAsync(JobLease lease, string checkpointId, CancellationToken cancellationToken) =>
        Run(nameof(RecordCheckpointAsync), () => Update(lease, job => job with { LatestCheckpointId = checkpointId }));

    public Task RecordProgressAsync(JobLease lease, JobProgress progress, CancellationToken cancellationToken) =>
        Run(nameof(RecordProgressAsync), () => Update(lease, job => job with { Progress = progress }));

    public Task FinishAsync(JobLease lease, JobStatus status, JobOutcome outcome, CancellationToken cancellationToken) => Run(nameof(FinishAsync), () =>
    {
        if (status == JobStatus.Running) throw new ArgumentException("a job is finished with a terminal status or given back as Queued", nameof(status));
        Update(lease, job => job with
        {
            Status = status, LeaseOwner = null, LeaseExpiresAt = null,
            FinalMetrics = outcome.FinalMetrics.Count > 0 ? outcome.FinalMetrics : job.FinalMetrics,
            ModelUri = outcome.ModelUri ?? job.ModelUri,
            Error = outcome.Error ?? (status == JobStatus.Succeeded ? null : job.Error),
            FailedAttempts = job.FailedAttempts + (outcome.FailedAttempt ? 1 : 0),
        });
        Record(lease.JobId, status, lease.WorkerId, lease.FencingToken, outcome.Error);
    });

    public Task RecordEpochAsync(JobLease lease, int epoch, IReadOnlyDictionary<string, double> metrics, CancellationToken cancellationToken) =>
        Run(nameof(RecordEpochAsync), () =>
        {
            Update(lease, job => job);
            if (!_epochs.TryGetValue(lease.JobId, out var epochs)) _epochs[lease.JobId] = epochs = [];
            epochs[epoch] = new EpochMetrics(epoch, new Dictionary<string, double>(metrics), time.GetUtcNow());
        });

    public Task<IReadOnlyList<EpochMetrics>> GetEpochsAsync(string jobId, CancellationToken cancellationToken) =>
        Run(nameof(GetEpochsAsync), () => (IReadOnlyList<EpochMetrics>)(_epochs.GetValueOrDefault(jobId)?.Values.ToList() ?? []));

    public Task<JobStatus?> RequestCancelAsync(string jobId, CancellationToken cancellationToken) => Run(nameof(RequestCancelAsync), () =>
    {
        if (!_jobs.TryGetValue(jobId, out var job)) return (JobStatus?)null;
        if (job.Status.IsTerminal()) return job.Status;
        var status = job.Status == JobStatus.Queued ? JobStatus.Cancelled : JobStatus.Running;
        _jobs[jobId] = job with { Status = status, CancelRequested = true, UpdatedAt = time.GetUtcNow() };
        if (status == JobStatus.Cancelled) Record(jobId, status, null, job.FencingToken, "cancelled before it started");
        return status;
    });

    public Task<IReadOnlyList<JobRecord>> ListAsync(int limit, CancellationToken cancellationToken) => Run(nameof(ListAsync), () =>
        (IReadOnlyList<JobRecord>)_jobs.Values.OrderByDescending(j => j.CreatedAt).ThenBy(j => j.JobId, StringComparer.Ordinal).Take(limit).ToList());

    public Task<IReadOnlyList<JobStatusChange>> GetHistoryAsync(string jobId, CancellationToken cancellationToken) =>
        Run(nameof(GetHistoryAsync), () => _history.Of(jobId));

    /// <summary>Runs <paramref name="body"/> on the records under the store's lock (and its fault injection): the in-memory gang store's transactions.</summary>
    internal Task<T> Locked<T>(string operation, Func<IDictionary<string, JobRecord>, T> body) => Run(operation, () => body(_jobs));

    /// <summary>A history entry, for the in-memory gang store; call inside <see cref="Locked{T}"/>.</summary>
    internal void RecordChange(string jobId, JobStatus status, string? workerId, long token, string? reason) => Record(jobId, status, workerId, token, reason);

    private void Update(JobLease lease, Func<JobRecord, JobRecord> change)
    {
        if (!_jobs.TryGetValue(lease.JobId, out var job) || job.FencingToken != lease.FencingToken || job.LeaseOwner != lease.WorkerId || job.Status != JobStatus.Running)
        {
            throw new LeaseLostException(lease.JobId, lease.FencingToken, "another worker claimed the job or it was finished");
        }

        _jobs[lease.JobId] = change(job) with { UpdatedAt = time.GetUtcNow() };
    }

    private void Record(string jobId, JobStatus status, string? workerId, long token, string? reason) =>
        _history.Add(jobId, new JobStatusChange(status, time.GetUtcNow(), workerId, token, reason));

    private Task<T> Run<T>(string operation, Func<T> body) => _calls.Run(operation, body);

    private Task Run(string operation, Action body) => _calls.Run(operation, body);
}
