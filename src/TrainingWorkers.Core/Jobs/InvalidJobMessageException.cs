namespace TrainingWorkers.Core.Jobs;

/// <summary>A job cannot be put on the queue as it is (empty id, spec not an object, too large). Not transient.</summary>
public sealed class InvalidJobMessageException : Exception
{
    public InvalidJobMessageException(string reason)
        : base($"the job cannot be queued: {reason}")
    {
        Reason = reason;
    }

    public string Reason { get; }
    public bool IsTransient => false;
}
