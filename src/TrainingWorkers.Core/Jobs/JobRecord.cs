using TrainingWorkers.Core.Gangs;

namespace TrainingWorkers.Core.Jobs;

/// <summary>What the job store knows about one training job.</summary>
public sealed record JobRecord
{
    public required string JobId { get; init; }
    /// <summary>The job spec as submitted (JSON).</summary>
    public required string SpecJson { get; init; }
    public required JobStatus Status { get; init; }
    /// <summary>How many times a worker has claimed the job.</summary>
    public int Attempts { get; init; }
    /// <summary>How many attempts failed in a way another attempt may not repeat (a crash, a lost device); hand-offs do not count.</summary>
    public int FailedAttempts { get; init; }
    /// <summary>The worker holding the lease, if any.</summary>
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    /// <summary>Incremented by every claim; writes carrying an older token are refused.</summary>
    public long FencingToken { get; init; }
    /// <summary>The id of the newest durable checkpoint.</summary>
    public string? LatestCheckpointId { get; init; }
    public IReadOnlyDictionary<string, double> FinalMetrics { get; init; } = new Dictionary<string, double>();
    /// <summary>Where the final model was uploaded, e.g. an <c>s3://</c> URI.</summary>
    public string? ModelUri { get; init; }
    public string? Error { get; init; }
    /// <summary>A user asked for the job to stop; its worker cancels it at the next heartbeat.</summary>
    public bool CancelRequested { get; init; }
    /// <summary>How far the current attempt has come, or null before the first report.</summary>
    public JobProgress? Progress { get; init; }
    /// <summary>A multi-node job's newest gang: its members by node and the rendezvous; null for a job of one node.</summary>
    public Gang? Gang { get; init; }
    /// <summary>A node of the gang asked node 0 to hand the job off (its worker stops), with why.</summary>
    public string? HandOffRequested { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}

/// <summary>How far a running job has come: the epoch and step, and the newest epoch's metrics.</summary>
public sealed record JobProgress
{
    public int Epoch { get; init; }
    public int Epochs { get; init; }
    public int Step { get; init; }
    public int Steps { get; init; }
    /// <summary>The newest epoch's metrics (loss, accuracy, validation metrics, learning rate, samples/s).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public DateTimeOffset At { get; init; }
}

/// <summary>One entry of a job's status history.</summary>
public sealed record JobStatusChange(JobStatus Status, DateTimeOffset At, string? WorkerId, long FencingToken, string? Reason);

/// <summary>
/// A worker's right to work on a job until <see cref="ExpiresAt"/>. Every write the worker makes
/// carries <see cref="FencingToken"/>; once another worker has claimed the job, the token is stale.
/// </summary>
public sealed record JobLease(string JobId, string WorkerId, long FencingToken, DateTimeOffset ExpiresAt);

/// <summary>How a job ended, written together with its terminal status.</summary>
public sealed record JobOutcome
{
    public IReadOnlyDictionary<string, double> FinalMetrics { get; init; } = new Dictionary<string, double>();
    public string? ModelUri { get; init; }
    public string? Error { get; init; }
    /// <summary>This end is a failed attempt: the store adds one to <see cref="JobRecord.FailedAttempts"/> in the same write as the status.</summary>
    public bool FailedAttempt { get; init; }
}
