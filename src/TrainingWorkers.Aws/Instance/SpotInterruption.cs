namespace TrainingWorkers.Aws.Instance;

/// <summary>A pending spot interruption: <c>terminate</c>, <c>stop</c> or <c>hibernate</c> at <see cref="Time"/>.</summary>
public sealed record SpotInterruption(string Action, DateTimeOffset Time);
