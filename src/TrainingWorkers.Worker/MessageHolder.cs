using TrainingWorkers.Core.Jobs;

namespace TrainingWorkers.Worker;

/// <summary>A job's message as received; after a renewal its copy is on the queue and this one is gone.</summary>
internal sealed class MessageHolder(ReceivedJob message, DateTimeOffset receivedAt)
{
    public ReceivedJob Message { get; } = message;
    public DateTimeOffset ReceivedAt { get; } = receivedAt;

    /// <summary>Whether this worker still holds the message (and must settle it).</summary>
    public bool Held { get; set; } = true;
}
