namespace TrainingWorkers.Core.Jobs;

/// <summary>A job that is recorded as Queued and whose message is on the queue under <see cref="MessageId"/>.</summary>
public sealed record SubmittedJob(string JobId, string MessageId);
