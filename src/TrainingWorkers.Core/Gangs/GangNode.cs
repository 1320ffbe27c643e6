namespace TrainingWorkers.Core.Gangs;

/// <summary>
/// Node <see cref="Node"/> (1 and up) of a gang: its own lease on the job, taken when its worker joins and renewed by
/// its heartbeat, fenced by the gang's token. Node 0's lease is the job's own. A node that ends says so, with its
/// error when it failed, so that the others stop at once instead of waiting for its lease to run out.
/// </summary>
public sealed record GangNode(string JobId, int Node, string WorkerId, long FencingToken, DateTimeOffset ExpiresAt)
{
    /// <summary>When the node's ranks ended here (null while they run).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Why the node failed, when it did ("kind: message", <see cref="Failures.JobFailure"/>'s text).</summary>
    public string? Error { get; init; }

    /// <summary>Whether the node still stands for the gang at <paramref name="now"/>: joined, not ended with an error, lease not run out.</summary>
    public bool IsAlive(DateTimeOffset now) => Error is null && (EndedAt is not null || ExpiresAt > now);
}
