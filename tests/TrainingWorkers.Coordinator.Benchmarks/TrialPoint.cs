namespace TrainingWorkers.Coordinator.Benchmarks;

/// <summary>A trial as it finished: its state, its value (the objective, or the last epoch's before it was stopped), and the tuner's CPU seconds by then.</summary>
internal sealed record TrialPoint(int Number, string State, double? Value, double CpuSeconds);
