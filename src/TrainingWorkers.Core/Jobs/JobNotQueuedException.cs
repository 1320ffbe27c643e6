using TrainingWorkers.Core.Failures;

namespace TrainingWorkers.Core.Jobs;

/// <summary>
/// A job was recorded but its message could not be queued (the inner exception says why). Its record was then
/// cancelled, unless <see cref="CancelFailure"/> says why it stays Queued. Sorted like the queue's failure.
/// </summary>
public sealed class JobNotQueuedException : Exception, IKnowsFailureKind
{
    public JobNotQueuedException(string jobId, Exception? cancelFailure, Exception queueFailure)
        : base($"{queueFailure.Message}; the job was recorded but not queued, and its record {jobId} " +
            (cancelFailure is null ? "is now Cancelled" : $"stays Queued (cancelling it failed: {cancelFailure.Message})"), queueFailure)
    {
        JobId = jobId;
        CancelFailure = cancelFailure;
    }

    public string JobId { get; }

    /// <summary>Why the record could not be cancelled, or null when it is Cancelled.</summary>
    public Exception? CancelFailure { get; }

    /// <summary>The kind of the queue's failure: a fatal one (access denied, queue gone) stays fatal.</summary>
    public FailureKind FailureKind => JobFailure.From(InnerException!).Kind;
}
