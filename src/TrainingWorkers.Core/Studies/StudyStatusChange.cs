namespace TrainingWorkers.Core.Studies;

/// <summary>One entry of a study's status history: claims and takeovers included.</summary>
public sealed record StudyStatusChange(StudyStatus Status, DateTimeOffset At, string? OwnerId, long FencingToken, string? Reason);
