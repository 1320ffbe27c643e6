namespace TrainingWorkers.Core.Studies;

/// <summary>
/// A coordinator's right to drive a study until <see cref="ExpiresAt"/>. Every write it makes carries
/// <see cref="FencingToken"/>; once another coordinator has claimed the study, the token is stale.
/// </summary>
public sealed record StudyLease(string StudyId, string OwnerId, long FencingToken, DateTimeOffset ExpiresAt);
