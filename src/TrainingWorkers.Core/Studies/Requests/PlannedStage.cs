namespace TrainingWorkers.Core.Studies.Requests;

/// <summary>One stage of an approach: its name (<see cref="FineTunePlan.Head"/>, ...) and the epochs it trains.</summary>
public sealed record PlannedStage(string Name, int Epochs);
