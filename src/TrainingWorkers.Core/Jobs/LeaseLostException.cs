namespace TrainingWorkers.Core.Jobs;

/// <summary>
/// The worker no longer holds the job: its lease was taken over or the job was finished elsewhere.
/// Not transient: the worker must stop working on the job and write nothing more.
/// </summary>
public sealed class LeaseLostException : Exception
{
    public LeaseLostException(string jobId, long fencingToken, string reason)
        : base($"job {jobId}: the lease with fencing token {fencingToken} is no longer held ({reason})")
    {
        JobId = jobId;
        FencingToken = fencingToken;
    }

    public string JobId { get; }
    public long FencingToken { get; }
    /// <summary>Always false: retrying a write with a stale token cannot succeed.</summary>
    public bool IsTransient => false;
}
