namespace TrainingWorkers.Core.Studies;

/// <summary>A study as the store's index lists it: enough to find open studies and to show a list.</summary>
public sealed record StudySummary(string StudyId, string Kind, string Name, StudyStatus Status, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
