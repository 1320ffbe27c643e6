namespace TrainingWorkers.Core.Jobs;

/// <summary>
/// The queue users submit training jobs to. A received job stays invisible to other workers until
/// it is completed, released, or its visibility runs out; a worker extends it while it works.
/// </summary>
public interface IJobQueue
{
    /// <summary>Submits a job; returns the queue's message id.</summary>
    Task<string> SubmitAsync(JobMessage job, CancellationToken cancellationToken);

    /// <summary>
    /// Waits up to <paramref name="wait"/> for jobs (long poll) and returns at most <paramref name="maxJobs"/>.
    /// Messages that cannot be read as a job come back with <see cref="ReceivedJob.Problem"/> set.
    /// </summary>
    Task<IReadOnlyList<ReceivedJob>> ReceiveAsync(int maxJobs, TimeSpan wait, TimeSpan visibility, CancellationToken cancellationToken);

    /// <summary>Keeps the job hidden from other workers for <paramref name="visibility"/> from now.</summary>
    Task ExtendAsync(ReceivedJob job, TimeSpan visibility, CancellationToken cancellationToken);

    /// <summary>Makes the job visible again at once, for another worker or a later retry.</summary>
    Task ReleaseAsync(ReceivedJob job, CancellationToken cancellationToken);

    /// <summary>Removes the job for good. Call only once its final state is durable.</summary>
    Task CompleteAsync(ReceivedJob job, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the message to the queue's dead-letter queue (the target of its redrive policy) with the reason,
    /// and removes it here. Without a dead-letter queue it is only removed.
    /// </summary>
    Task DeadLetterAsync(ReceivedJob job, string reason, CancellationToken cancellationToken);

    /// <summary>How many jobs wait and how many are being worked on (for autoscaling).</summary>
    Task<QueueDepth> GetDepthAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The queue's redrive settings. Also the worker's start-up check: it fails when the queue does not
    /// exist or cannot be reached with the credentials at hand.
    /// </summary>
    Task<QueuePolicy> GetPolicyAsync(CancellationToken cancellationToken);
}

/// <summary>The queue's visibility timeout and redrive policy (null when messages are never dead-lettered).</summary>
public sealed record QueuePolicy(TimeSpan VisibilityTimeout, int? MaxReceiveCount, string? DeadLetterQueue);

/// <summary>The number of waiting (visible) and in-flight (invisible) jobs.</summary>
public sealed record QueueDepth(long Waiting, long InFlight, long Delayed);
