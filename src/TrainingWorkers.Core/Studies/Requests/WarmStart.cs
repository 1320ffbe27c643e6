namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>Starts a sweep from an earlier one: its finished trials inform the model-based search, and its best is tried first.</summary>
public sealed record WarmStart(string Study, bool EnqueueBest);
