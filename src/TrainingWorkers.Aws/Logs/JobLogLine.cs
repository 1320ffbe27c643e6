namespace TrainingWorkers.Aws.Logs;

/// <summary>One line of a job's log: the attempt that wrote it, when, and the text.</summary>
public sealed record JobLogLine(long Attempt, DateTimeOffset Timestamp, string Message);
