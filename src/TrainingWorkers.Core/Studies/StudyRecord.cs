namespace TrainingWorkers.Core.Studies;

/// <summary>What the study store knows about one study.</summary>
public sealed record StudyRecord
{
    public required string StudyId { get; init; }
    /// <summary><see cref="StudyKinds"/>: which driver runs it.</summary>
    public required string Kind { get; init; }
    public required string Name { get; init; }
    /// <summary>The request as submitted (JSON), already validated.</summary>
    public required string RequestJson { get; init; }
    public required StudyStatus Status { get; init; }
    /// <summary>The coordinator holding the lease, if any.</summary>
    public string? LeaseOwner { get; init; }
    public DateTimeOffset? LeaseExpiresAt { get; init; }
    /// <summary>Incremented by every claim; writes carrying an older token are refused.</summary>
    public long FencingToken { get; init; }
    /// <summary>How many times a coordinator claimed the study (a takeover adds one).</summary>
    public int Claims { get; init; }
    /// <summary>A user asked for the study to stop; its coordinator cancels its jobs at the next step.</summary>
    public bool CancelRequested { get; init; }
    /// <summary>The driver's state (JSON of <see cref="State.StudyState"/>), or null before the first step.</summary>
    public string? StateJson { get; init; }
    /// <summary>The outcome (JSON of <see cref="State.StudyResult"/>) once the study ended.</summary>
    public string? ResultJson { get; init; }
    public string? Error { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
